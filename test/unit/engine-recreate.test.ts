import { expect, it } from 'vitest';
import { defaultSettings, mergeSettings } from '../../main/core/store/settings';
import { runSync } from '../../main/core/sync/engine';
import { googleCopyId } from '../../main/core/sync/mapping';
import { SyncState } from '../../main/core/sync/state';
import { Clock, FakeGoogle, FakeSevera, severaUser } from '../helpers/fake-ports';

const AINO = 'aino@firma.example';

/*
 * Severa has no deletion feed, so an activity deleted in Severa is seen only at the next sweep.
 * When its Google copy is edited before that, the edit wins (as a change wins over a deletion
 * everywhere else): the run that carries the edit re-creates the activity instead of failing on
 * Severa's 404 until the sweep.
 */
it('an edit in Google to an activity deleted in Severa since the last sweep re-creates it', async () => {
  const clock = new Clock();
  const severa = new FakeSevera(clock, [severaUser(AINO)]);
  const google = new FakeGoogle(clock, [AINO]);
  const state = SyncState.open(':memory:');
  const settings = mergeSettings(defaultSettings(), {
    google: { domain: 'firma.example', clientId: '123' },
    severa: { defaultActivityTypeGuid: 'type-meeting', personalActivityTypeGuid: 'type-personal' },
  });
  const sync = () => {
    clock.tick();
    return runSync({ settings, severa, google, state, now: clock.now });
  };
  const activity = severa.userCreate({
    name: 'Planning',
    startDateTime: '2026-11-26T10:00:00+02:00',
    endDateTime: '2026-11-26T11:00:00+02:00',
    isAllDay: false,
    activityType: { guid: 'type-meeting' },
    ownerUser: { guid: 'user-aino' },
  });
  expect(await sync()).toMatchObject({ ok: true, toGoogle: { created: 1 } });

  severa.activities.delete(activity.guid);
  google.cal(AINO).userEdit(googleCopyId(activity.guid, AINO), { summary: 'Planning, moved' });
  const carried = await sync();
  expect(carried).toMatchObject({ ok: true, errors: [], toSevera: { created: 1, deleted: 0 } });
  const remade = [...severa.activities.values()];
  expect(remade.map((a) => a.name)).toEqual(['Planning, moved']);
  expect(google.cal(AINO).live()).toHaveLength(1);

  expect(await sync()).toMatchObject({
    ok: true,
    toGoogle: { created: 0, updated: 0, deleted: 0 },
    toSevera: { created: 0, updated: 0, deleted: 0 },
  });
});
