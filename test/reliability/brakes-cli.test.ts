import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { startWorld, type World, type WorldUser } from '../helpers/world';

/*
 * The brakes (design D8) as an admin meets them, through the built CLI: an empty listing for a
 * user who has items stops that user; a mass deletion over the threshold is held, shown in
 * `status`, and applied only by `sync --confirm-held`. Real keychain: run under
 * `bash scripts/with-keyring.sh`.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let world: World;
let owner: WorldUser;
let other: WorldUser;

const cli = async (...args: string[]) => {
  const r = await runCli(world.profileDir, args, { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {} };
};

interface StatusJson {
  users: { email: string; state: string; items: number; held: number }[];
  held: { user: string; action: string; severaGuid: string; googleId: string }[];
}

const status = async () => (await cli('status', '--json')).out as unknown as StatusJson;

const ownedBy = (u: WorldUser) =>
  world.severa.control.activities.listAll().filter((a) => a.ownerUser.guid === u.severaGuid);
const liveEvents = (u: WorldUser) =>
  world.google.control.listAll(u.email).filter((e) => e.status !== 'cancelled');

beforeAll(async () => {
  world = await startWorld({ company: { users: 2 }, keychain: true, severaRequestsPerSecond: 50 });
  [owner, other] = world.users as [WorldUser, WorldUser];
  const base = Date.now() + DAY;
  for (let i = 0; i < 8; i++)
    world.severa.control.activities.put({
      name: `Review ${i}`,
      startDateTime: new Date(base + i * DAY).toISOString(),
      endDateTime: new Date(base + i * DAY + HOUR).toISOString(),
      activityType: { guid: world.types.meeting },
      ownerUser: { guid: owner.severaGuid },
    });
  for (let i = 0; i < 3; i++)
    world.google.control.putEvent(other.email, {
      summary: `Workshop ${i}`,
      start: { dateTime: new Date(base + i * DAY + 2 * HOUR).toISOString() },
      end: { dateTime: new Date(base + i * DAY + 3 * HOUR).toISOString() },
    });
  const first = await cli('sync', '--json');
  expect(first.out).toMatchObject({ ok: true, toGoogle: { created: 8 }, toSevera: { created: 3 } });
});
afterAll(async () => world?.close());

describe('the brakes through the CLI', () => {
  it('a user whose calendar suddenly lists nothing is stopped, and nothing of theirs is deleted', async () => {
    for (const e of liveEvents(other)) world.google.control.deleteEvent(other.email, e.id!);
    // The sync token expired too: the next listing is a full one, and it is empty.
    world.google.control.invalidateSyncTokens(other.email);
    const run = await cli('sync', '--json');
    expect(run.code).toBe(1);
    expect(run.out).toMatchObject({ ok: false, stopped: [other.email] });
    expect(ownedBy(other)).toHaveLength(3);
    const s = await status();
    expect(s.users.find((u) => u.email === other.email)).toMatchObject({
      state: 'stopped',
      items: 3,
    });
    expect(s.users.find((u) => u.email === owner.email)).toMatchObject({ state: 'ok' });
  });

  it('a mass deletion is held, shown in status, and applied only after confirmation', async () => {
    const copies = liveEvents(owner);
    expect(copies).toHaveLength(8);
    for (const e of copies.slice(0, 6)) world.google.control.deleteEvent(owner.email, e.id!);

    const held = await cli('sync', '--json');
    expect(held.out).toMatchObject({ held: 6, toSevera: { deleted: 0 } });
    expect(ownedBy(owner)).toHaveLength(8);
    const s = await status();
    expect(s.users.find((u) => u.email === owner.email)).toMatchObject({ held: 6, items: 8 });
    expect(s.held.filter((h) => h.user === owner.email)).toHaveLength(6);
    expect(new Set(s.held.map((h) => h.action))).toEqual(new Set(['delete-severa']));

    // Held stays held: another plain run deletes nothing.
    expect((await cli('sync', '--json')).out).toMatchObject({ held: 6, toSevera: { deleted: 0 } });
    expect(ownedBy(owner)).toHaveLength(8);

    const confirmed = await cli('sync', '--confirm-held', '--user', owner.email, '--json');
    expect(confirmed.out).toMatchObject({ held: 0, toSevera: { deleted: 6 } });
    expect(
      ownedBy(owner)
        .map((a) => a.name)
        .sort(),
    ).toEqual(
      copies
        .slice(6)
        .map((e) => e.summary)
        .sort(),
    );
    const after = await status();
    expect(after.held).toEqual([]);
    expect(after.users.find((u) => u.email === owner.email)).toMatchObject({ held: 0, items: 2 });
  });
});
