import type { MenuItemConstructorOptions } from 'electron';
import type { Language } from '../core/localized';

/** The project's documentation and Severa's own help page for its Google calendar sync. */
export const DOCS_URL = 'https://github.com/severa-calendar-sync/severa-calendar-sync#readme';
export const SEVERA_HELP_URL =
  'https://support.severa.com/support/solutions/articles/77000545983-google-calendar-sync';

export interface AppMenuActions {
  quit(): void;
  openUrl(url: string): void;
  openLogFolder(): void;
}

const TEXT = {
  fi: {
    file: 'Tiedosto',
    quit: 'Lopeta',
    edit: 'Muokkaa',
    undo: 'Kumoa',
    redo: 'Tee uudelleen',
    cut: 'Leikkaa',
    copy: 'Kopioi',
    paste: 'Liitä',
    selectAll: 'Valitse kaikki',
    window: 'Ikkuna',
    minimize: 'Pienennä',
    close: 'Sulje ikkuna (synkronointi jatkuu taustalla)',
    help: 'Ohje',
    docs: 'Severa Calendar Syncin ohjeet',
    severaHelp: 'Severan ohje: Google-kalenterisynkronointi',
    logs: 'Avaa lokikansio',
  },
  en: {
    file: 'File',
    quit: 'Quit',
    edit: 'Edit',
    undo: 'Undo',
    redo: 'Redo',
    cut: 'Cut',
    copy: 'Copy',
    paste: 'Paste',
    selectAll: 'Select all',
    window: 'Window',
    minimize: 'Minimize',
    close: 'Close the window (sync goes on in the background)',
    help: 'Help',
    docs: 'Severa Calendar Sync documentation',
    severaHelp: "Severa's help: Google calendar sync",
    logs: 'Open the log folder',
  },
} satisfies Record<Language, Record<string, string>>;

/**
 * The application menu: Edit (copy and paste work in every field), Window, Help with the docs,
 * and Quit from the window itself, so that a desktop without a tray area (stock GNOME) can
 * still quit. macOS gets its app menu (About, Hide, Quit) first.
 */
export function appMenuTemplate(
  platform: NodeJS.Platform,
  language: Language,
  actions: AppMenuActions,
): MenuItemConstructorOptions[] {
  const t = TEXT[language];
  const quit: MenuItemConstructorOptions = {
    id: 'quit',
    label: t.quit,
    accelerator: 'CmdOrCtrl+Q',
    click: () => actions.quit(),
  };
  return [
    ...(platform === 'darwin'
      ? [{ role: 'appMenu' as const }]
      : [{ id: 'file', label: t.file, submenu: [quit] }]),
    {
      id: 'edit',
      label: t.edit,
      submenu: [
        { role: 'undo', label: t.undo },
        { role: 'redo', label: t.redo },
        { type: 'separator' },
        { role: 'cut', label: t.cut },
        { role: 'copy', label: t.copy },
        { role: 'paste', label: t.paste },
        { role: 'selectAll', label: t.selectAll },
      ],
    },
    {
      id: 'window',
      label: t.window,
      submenu: [
        { role: 'minimize', label: t.minimize },
        { role: 'close', label: t.close },
      ],
    },
    {
      id: 'help',
      label: t.help,
      role: 'help',
      submenu: [
        { id: 'docs', label: t.docs, click: () => actions.openUrl(DOCS_URL) },
        { id: 'severa-help', label: t.severaHelp, click: () => actions.openUrl(SEVERA_HELP_URL) },
        { id: 'logs', label: t.logs, click: () => actions.openLogFolder() },
      ],
    },
  ];
}
