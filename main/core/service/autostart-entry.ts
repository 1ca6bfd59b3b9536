import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Start at login on Linux: an XDG autostart entry (Electron's setLoginItemSettings works only on
 * macOS and Windows). Pure file work, so it is tested without Electron.
 */
export const AUTOSTART_FILE_NAME = 'severa-calendar-sync.desktop';

export const autostartPath = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', AUTOSTART_FILE_NAME);

/** Quotes one Exec argument per the Desktop Entry spec (reserved characters inside quotes). */
const quoteExecArg = (arg: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;

export function desktopEntry(
  execPath: string,
  args: string[],
  name = 'Severa Calendar Sync',
): string {
  const exec = [execPath, ...args].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    'Comment=Two-way sync between Visma Severa and Google Calendar',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the entry; returns the path touched. */
export function setLinuxAutostart(
  enabled: boolean,
  execPath: string,
  args: string[],
  file = autostartPath(),
): string {
  if (enabled) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, desktopEntry(execPath, args), { mode: 0o644 });
  } else {
    rmSync(file, { force: true });
  }
  return file;
}
