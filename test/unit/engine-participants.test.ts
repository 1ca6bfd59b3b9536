import { expect, it } from 'vitest';
import { defaultSettings, mergeSettings } from '../../main/core/store/settings';
import { runSync } from '../../main/core/sync/engine';
import { googleCopyId } from '../../main/core/sync/mapping';
import { SyncState } from '../../main/core/sync/state';
import { Clock, FakeGoogle, FakeSevera, severaUser } from '../helpers/fake-ports';

const AINO = 'aino@firma.example';
const ILMARI = 'ilmari@firma.example';

/*
 * Participants are read only for new or changed activities; an unchanged activity's linked users
 * stand in for them. When a participant leaves by deleting their Google copy, their participant
 * record is read just then, so only they leave and the activity stays.
 */
it('participant leaves via Google when the activity is unchanged (links stand in), full sweep', async () => {
  const clock = new Clock();
  const severa = new FakeSevera(clock, [severaUser(AINO), severaUser(ILMARI)]);
  const google = new FakeGoogle(clock, [AINO, ILMARI]);
  const state = SyncState.open(':memory:');
  const settings = mergeSettings(defaultSettings(), {
    google: { domain: 'firma.example', clientId: '123' },
    severa: { defaultActivityTypeGuid: 'type-meeting', personalActivityTypeGuid: 'type-personal' },
  });
  const sync = (o = {}) => {
    clock.tick();
    return runSync({ settings, severa, google, state, now: clock.now }, o);
  };
  const a = severa.userCreate({
    name: 'Team day',
    startDateTime: '2026-11-26T10:00:00+02:00',
    endDateTime: '2026-11-26T11:00:00+02:00',
    isAllDay: false,
    activityType: { guid: 'type-meeting' },
    ownerUser: { guid: 'user-aino' },
  });
  await severa.addParticipant(a.guid, 'user-ilmari');
  expect((await sync()).ok).toBe(true);
  let reads = 0;
  const orig = severa.listParticipants.bind(severa);
  severa.listParticipants = (g: string) => {
    reads++;
    return orig(g);
  };
  const r2 = await sync({ sweep: 'full' });
  // Nothing changed: no participant is read.
  expect(reads).toBe(0);
  expect(r2).toMatchObject({
    ok: true,
    toGoogle: { created: 0, deleted: 0 },
    toSevera: { deleted: 0 },
  });
  google.cal(ILMARI).userDelete(googleCopyId(a.guid, ILMARI));
  const r = await sync({ sweep: 'full' });
  // Ilmari left: his record is read, he is removed, the activity and Aino's copy stay.
  expect(reads).toBe(1);
  expect(r.toSevera.deleted).toBe(1);
  expect(severa.activities.has(a.guid)).toBe(true);
  expect(severa.participants.get(a.guid)).toEqual([]);
  expect(google.cal(AINO).live()).toHaveLength(1);
  const r3 = await sync({ sweep: 'full' });
  expect(r3).toMatchObject({
    ok: true,
    toGoogle: { created: 0, deleted: 0 },
    toSevera: { deleted: 0, created: 0 },
  });
});
