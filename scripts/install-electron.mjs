// npm's postinstall: fetches the Electron binary that `npm start` runs. Electron 42 and later
// no longer download it on install (only at the first `electron .`), so without this an
// `npm install` made online would still leave an app that cannot start offline, and the
// Electron spec would skip. ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it, as Electron's own install
// script did (.ci/run sets it: CI reaches no download host).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import process from 'node:process';
import console from 'node:console';

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log(
    'install-electron: ELECTRON_SKIP_BINARY_DOWNLOAD is set, the Electron binary is not downloaded',
  );
  process.exit(0);
}
let installer;
try {
  installer = createRequire(import.meta.url).resolve('electron/install.js');
} catch {
  process.exit(0); // installed without devDependencies (CLI or server only): no desktop app
}
const { status } = spawnSync(process.execPath, [installer], { stdio: 'inherit' });
if (status !== 0) {
  console.error(
    'install-electron: the Electron binary could not be downloaded. The CLI and the tests work without it; ' +
      'to install without it, set ELECTRON_SKIP_BINARY_DOWNLOAD=1.',
  );
  process.exit(status ?? 1);
}
