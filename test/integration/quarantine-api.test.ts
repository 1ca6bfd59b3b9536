import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantinedItemDto, Result } from '../../preload/api';
import { silentLogger } from '../../main/core/log';
import { createAppService, type AppService } from '../../main/core/service/app-service';
import { coreBackends } from '../../main/core/service/core-backends';
import { FileSettingsStore } from '../../main/core/store/settings';
import { runCli } from '../helpers/cli';
import { startWorld, type World } from '../helpers/world';

/**
 * Quarantined items through the service API (what the dashboard calls: `listQuarantined`,
 * `retryQuarantined`) and the CLI (`quarantine`, `quarantine --retry`), on one profile over
 * both sandboxes.
 */
let world: World;
let service: AppService;

const value = <T>(r: unknown): T => {
  const result = r as Result<T>;
  if (!result.ok) throw new Error(result.error.message.en);
  return result.value;
};

beforeAll(async () => {
  world = await startWorld({
    company: { users: 1 },
    settings: { severa: { personalActivityTypeGuid: 'no-such-type' } },
  });
  service = createAppService({
    profileDir: world.profileDir,
    secrets: world.secrets,
    settings: new FileSettingsStore(join(world.profileDir, 'settings.json')),
    logger: silentLogger,
    version: 'test',
    systemLanguage: 'en',
    openExternal: () => undefined,
    onEvent: () => undefined,
    backends: coreBackends,
  });
});
afterAll(async () => {
  await service?.close();
  await world?.close();
});

describe('quarantined items in the service API and the CLI', () => {
  it('lists an item that kept failing with the server message, and retries it on request', async () => {
    const user = world.users[0]!.email;
    const start = new Date(Date.now() + 2 * 86_400_000);
    const dentist = world.google.control.putEvent(user, {
      summary: 'Dentist',
      visibility: 'private',
      start: { dateTime: start.toISOString() },
      end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString() },
    });
    for (let run = 0; run < 3; run++) await service.dispatch('syncNow', []);
    const listed = (await service.dispatch('listQuarantined', [])) as QuarantinedItemDto[];
    expect(listed).toEqual([
      expect.objectContaining({
        user,
        item: `google:${dentist.id}`,
        action: 'create-severa',
        direction: 'toSevera',
        failures: 3,
        errorType: 'InvalidParameter',
        message: expect.stringContaining('no-such-type'),
        retryRequested: false,
      }),
    ]);

    const cli = await runCli(world.profileDir, ['quarantine', '--json']);
    expect(JSON.parse(cli.stdout)).toEqual(listed);
    const bad = await runCli(world.profileDir, ['quarantine', '--item', listed[0]!.item]);
    expect(bad.code).toBe(2);

    world.updateSettings({ severa: { personalActivityTypeGuid: world.types.personal } });
    const retried = value<QuarantinedItemDto[]>(
      await service.dispatch('retryQuarantined', [{ user, item: listed[0]!.item }]),
    );
    expect(retried).toEqual([expect.objectContaining({ retryRequested: true })]);
    const invalid = (await service.dispatch('retryQuarantined', [{ item: 3 }])) as Result<unknown>;
    expect(invalid.ok).toBe(false);
    await service.dispatch('syncNow', []);
    expect(await service.dispatch('listQuarantined', [])).toEqual([]);
    expect(world.severa.control.activities.listAll().map((a) => a.name)).toContain('Dentist');
    expect((await runCli(world.profileDir, ['quarantine'])).stdout).toContain(
      'Nothing is quarantined.',
    );
  });
});
