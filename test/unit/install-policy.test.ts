import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  allowScripts: Record<string, boolean>;
  scripts: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

/** The install as users get it: `npm install` runs what the app needs, and only that. */
describe('install scripts', () => {
  it('every dependency with an install script is decided in allowScripts', () => {
    const withScripts = Object.entries(lock.packages)
      // The root entry ('') is this project: its own postinstall is not a dependency's.
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts).toHaveProperty([name]);
  });

  it('approves electron, keytar and esbuild and denies Squirrel.Windows (not a target)', () => {
    expect(pkg.allowScripts).toEqual({
      electron: true,
      esbuild: true,
      keytar: true,
      'electron-winstaller': false,
    });
  });

  it('npm install fetches the Electron binary unless ELECTRON_SKIP_BINARY_DOWNLOAD is set', () => {
    expect(pkg.scripts.postinstall).toBe('node scripts/install-electron.mjs');
    const out = execFileSync('node', ['scripts/install-electron.mjs'], {
      cwd: root,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      encoding: 'utf8',
    });
    expect(out).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
    const ci = readFileSync(new URL('.ci/run', root), 'utf8');
    expect(ci.indexOf('export ELECTRON_SKIP_BINARY_DOWNLOAD=1')).toBeGreaterThan(0);
    expect(ci.indexOf('export ELECTRON_SKIP_BINARY_DOWNLOAD=1')).toBeLessThan(ci.indexOf('npm ci'));
  });
});
