import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  autostartPath,
  desktopEntry,
  setLinuxAutostart,
} from '../../main/core/service/autostart-entry';

describe('XDG autostart entry', () => {
  it('is a valid desktop entry whose Exec quotes arguments with spaces and reserved characters', () => {
    const text = desktopEntry('/opt/Severa Calendar Sync/severa-calendar-sync', [
      '--hidden',
      'a"b$c',
    ]);
    expect(text.split('\n')[0]).toBe('[Desktop Entry]');
    expect(text).toContain('Type=Application\n');
    expect(text).toContain(
      'Exec="/opt/Severa Calendar Sync/severa-calendar-sync" --hidden "a\\"b\\$c"\n',
    );
    expect(text).toContain('X-GNOME-Autostart-enabled=true');
  });

  it('lives under $XDG_CONFIG_HOME/autostart and is written and removed', () => {
    const home = mkdtempSync(join(tmpdir(), 'xdg-'));
    try {
      const file = autostartPath({ XDG_CONFIG_HOME: home });
      expect(file).toBe(join(home, 'autostart', 'severa-calendar-sync.desktop'));
      setLinuxAutostart(true, '/usr/bin/severa-calendar-sync', ['--hidden'], file);
      expect(readFileSync(file, 'utf8')).toContain('Exec=/usr/bin/severa-calendar-sync --hidden');
      setLinuxAutostart(false, '/usr/bin/severa-calendar-sync', [], file);
      expect(existsSync(file)).toBe(false);
      setLinuxAutostart(false, '/usr/bin/severa-calendar-sync', [], file);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
