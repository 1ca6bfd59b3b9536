import type { Language } from '../localized';
import type { SyncStatusDto, SyncSummaryDto } from '../../../preload/api';
import { progressText } from '../sync/progress';

/**
 * What the tray shows, decided in plain Node so it is tested without Electron: the image for a
 * state on each OS, the menu (last result, Sync now, Open, Pause/Resume, Quit), the tooltip (the
 * run's progress while one goes on) and which errors of a run are new enough to raise an OS
 * notification.
 */
export type TrayState = SyncStatusDto['state'];
export type TrayAction = 'sync-now' | 'open' | 'pause' | 'resume' | 'quit';

export interface TrayMenuItem {
  id: 'last-result' | TrayAction;
  label: string;
  enabled: boolean;
}

/** The image file under assets/tray/ for a state: template images on macOS, .ico on Windows. */
export function trayImageFile(state: TrayState, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `${state}Template.png`;
  if (platform === 'win32') return `${state}.ico`;
  return `${state}.png`;
}

const TEXT = {
  never: { fi: 'Ei vielä synkronoitu', en: 'Not synced yet' },
  running: { fi: 'Synkronoidaan…', en: 'Syncing…' },
  ok: { fi: 'Viimeksi {time}: ✓ {changes} muutosta', en: 'Last sync {time}: ✓ {changes} changes' },
  failed: { fi: 'Viimeksi {time}: ⚠ {errors} virhettä', en: 'Last sync {time}: ⚠ {errors} errors' },
  'sync-now': { fi: 'Synkronoi nyt', en: 'Sync now' },
  open: { fi: 'Avaa', en: 'Open' },
  pause: { fi: 'Keskeytä taustasynkronointi', en: 'Pause background sync' },
  resume: { fi: 'Jatka taustasynkronointia', en: 'Resume background sync' },
  quit: { fi: 'Lopeta', en: 'Quit' },
} satisfies Record<string, Record<Language, string>>;

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));

const changes = (s: SyncSummaryDto) =>
  [s.toGoogle, s.toSevera].reduce((n, d) => n + d.created + d.updated + d.deleted, 0);

/** The first, disabled line of the menu: how the last run went. */
export function lastResultLabel(
  status: SyncStatusDto,
  language: Language,
  timeZone?: string,
): string {
  if (status.running) return TEXT.running[language];
  const summary = status.lastRun?.summary;
  if (!status.lastRun || !summary) return TEXT.never[language];
  const time = new Date(status.lastRun.finishedAt ?? status.lastRun.startedAt).toLocaleTimeString(
    language === 'fi' ? 'fi-FI' : 'en-GB',
    {
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    },
  );
  return summary.ok && summary.errors.length === 0
    ? fill(TEXT.ok[language], { time, changes: changes(summary) })
    : fill(TEXT.failed[language], { time, errors: Math.max(1, summary.errors.length) });
}

export function trayMenuModel(
  status: SyncStatusDto,
  language: Language,
  timeZone?: string,
): TrayMenuItem[] {
  const paused = status.state === 'paused';
  const item = (id: TrayAction, enabled = true): TrayMenuItem => ({
    id,
    label: TEXT[id][language],
    enabled,
  });
  return [
    { id: 'last-result', label: lastResultLabel(status, language, timeZone), enabled: false },
    item('sync-now', !status.running),
    item('open'),
    item(paused ? 'resume' : 'pause'),
    item('quit'),
  ];
}

/** Windows keeps 127 characters of a tray tooltip (NOTIFYICONDATA's szTip) and cuts the rest. */
export const TOOLTIP_MAX = 127;

/** The icon's tooltip: the app and the run's progress line while one goes on, else the last result. */
export function trayToolTip(status: SyncStatusDto, language: Language, timeZone?: string): string {
  const detail =
    status.running && status.progress
      ? progressText(status.progress, language)
      : lastResultLabel(status, language, timeZone);
  const text = `Severa Calendar Sync — ${detail}`;
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

const errorKey = (e: SyncSummaryDto['errors'][number]) =>
  `${e.user}\n${e.step ?? ''}\n${e.message}`;

/** Errors of this run that the previous run did not have (a persisting error notifies once). */
export function newErrors(
  previous: SyncSummaryDto | null,
  next: SyncSummaryDto,
): SyncSummaryDto['errors'] {
  const seen = new Set((previous?.errors ?? []).map(errorKey));
  return next.errors.filter((e) => !seen.has(errorKey(e)));
}
