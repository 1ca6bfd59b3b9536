// Checks the Linux packages electron-builder made (scripts/pack-linux.sh): the .deb's control
// file lists electron-builder's default dependencies plus libsecret-1-0, its scripts install the
// AppArmor profile, both packages hold the native binaries and the app, the fuses are flipped,
// and the AppImage keeps the Chromium sandbox wherever user namespaces work.
// Usage: node scripts/check-linux-packages.mjs <dir>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

const dir = process.argv[2];
const files = readdirSync(dir);
const find = (suffix) => {
  const file = files.find((f) => f.endsWith(suffix));
  if (!file) throw new Error(`no ${suffix} in ${dir}`);
  return join(dir, file);
};
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

// electron-builder's own defaults, from electron-builder itself (not a copy of the list).
const FpmTarget = createRequire(import.meta.url)('app-builder-lib/out/targets/FpmTarget').default;
const defaults = FpmTarget.prototype.getDefaultDepends.call(null, 'deb');

const deb = find('.deb');
const depends = run('dpkg-deb', ['-f', deb, 'Depends']).trim().split(/,\s*/);
check(defaults.length >= 8, `electron-builder's default deb dependencies: ${defaults.join(', ')}`);
for (const dependency of new Set([...defaults, 'libsecret-1-0']))
  check(depends.includes(dependency), `.deb Depends has ${dependency}`);
const contents = run('dpkg-deb', ['-c', deb]);
const app = './opt/Severa Calendar Sync';
for (const path of [
  `${app}/severa-calendar-sync`,
  `${app}/chrome-sandbox`,
  `${app}/resources/app.asar`,
  `${app}/resources/apparmor-profile`,
  `${app}/resources/app.asar.unpacked/node_modules/keytar/build/Release/keytar.node`,
  `${app}/resources/app.asar.unpacked/node_modules/@libsql/linux-x64-gnu/index.node`,
  './usr/share/applications/severa-calendar-sync.desktop',
])
  check(contents.includes(` ${path}\n`), `.deb holds ${path}`);
const postinst = run('dpkg-deb', ['-I', deb, 'postinst']);
check(/apparmor_parser --replace/.test(postinst), '.deb postinst loads the AppArmor profile');
const profile = execFileSync('tar', ['-xO', `${app}/resources/apparmor-profile`], {
  input: execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 512 << 20 }),
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
check(/^\s*userns,$/m.test(profile), 'the AppArmor profile allows user namespaces (the sandbox)');

const wire = await getCurrentFuseWire(join(dir, 'linux-unpacked', 'severa-calendar-sync'));
const fuse = (option) => String.fromCharCode(wire[option]);
for (const [name, expected] of [
  ['RunAsNode', '0'],
  ['EnableNodeOptionsEnvironmentVariable', '0'],
  ['EnableNodeCliInspectArguments', '0'],
  ['EnableCookieEncryption', '1'],
  ['EnableEmbeddedAsarIntegrityValidation', '1'],
  ['OnlyLoadAppFromAsar', '1'],
  ['GrantFileProtocolExtraPrivileges', '0'],
])
  check(
    fuse(FuseV1Options[name]) === expected,
    `fuse ${name} is ${expected === '1' ? 'on' : 'off'}`,
  );

const appImage = find('.AppImage');
const offset = readFileSync(appImage).indexOf('hsqs');
const extracted = mkdtempSync(join(tmpdir(), 'appimage-'));
try {
  run('unsquashfs', ['-q', '-n', '-o', String(offset), '-d', join(extracted, 'root'), appImage]);
  const root = join(extracted, 'root');
  const appRun = readFileSync(join(root, 'AppRun'), 'utf8');
  check(
    /! unshare -Ur true[^\n]*\n\s*NO_SANDBOX=\(--no-sandbox\)/.test(appRun),
    'AppRun adds --no-sandbox only where user namespaces are unavailable',
  );
  const desktop = readFileSync(join(root, 'severa-calendar-sync.desktop'), 'utf8');
  check(
    !desktop.includes('--no-sandbox'),
    'the AppImage desktop entry does not turn the sandbox off',
  );
  const rootFiles = readdirSync(join(root, 'resources'));
  check(
    rootFiles.includes('app.asar') && rootFiles.includes('app-update.yml'),
    'the AppImage holds the app and its update feed',
  );
} finally {
  rmSync(extracted, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`check-linux-packages: ${failures.length} failed`);
  process.exit(1);
}
console.log('check-linux-packages: all checks passed');
