#!/usr/bin/env node
// A stand-in for fpm (`-s dir -t deb` only), which electron-builder downloads from GitHub and CI
// cannot reach: electron-builder runs it through CUSTOM_FPM_PATH with the very arguments it would
// give fpm, and this builds the .deb with Debian's dpkg-deb from them (control fields, maintainer
// scripts, file mappings). Used by scripts/pack-linux.sh; not for releases, which use real fpm.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';

const REPEATED = new Set(['-d', '--deb-recommends']);
const FLAGS = new Set(['--force', '--debug']);
const options = new Map();
const mappings = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (FLAGS.has(arg)) continue;
  if (arg.startsWith('-')) {
    const value = argv[++i];
    if (REPEATED.has(arg)) options.set(arg, [...(options.get(arg) ?? []), value]);
    else options.set(arg, value);
  } else mappings.push(arg);
}
if (options.get('-s') !== 'dir' || options.get('-t') !== 'deb')
  throw new Error(`fpm-standin builds only -s dir -t deb, not ${argv.join(' ')}`);

const root = mkdtempSync(join(tmpdir(), 'fpm-standin-'));
try {
  for (const mapping of mappings) {
    const [source, target] = mapping.split('=');
    const destination = join(root, target);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source.replace(/\/$/, ''), destination.replace(/\/$/, ''), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  const installedKiB = (dir) =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .reduce((sum, e) => sum + Math.ceil(statSync(join(e.parentPath, e.name)).size / 1024), 0);
  const [summary, ...rest] = (options.get('--description') ?? '').split('\n');
  const control = [
    ['Package', options.get('--name')],
    ['Version', options.get('--version')],
    ['License', options.get('--license')],
    ['Vendor', options.get('--vendor')],
    ['Architecture', options.get('--architecture')],
    ['Maintainer', options.get('--maintainer')],
    ['Installed-Size', String(installedKiB(root))],
    ['Depends', (options.get('-d') ?? []).join(', ')],
    ['Recommends', (options.get('--deb-recommends') ?? []).join(', ')],
    ['Section', options.get('--category') ?? 'default'],
    ['Priority', options.get('--deb-priority') ?? 'optional'],
    ['Homepage', options.get('--url')],
    ['Description', [summary, ...rest.map((line) => ` ${line.trim() || '.'}`)].join('\n')],
  ].filter(([, value]) => value);
  mkdirSync(join(root, 'DEBIAN'));
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    control.map(([k, v]) => `${k}: ${v}`).join('\n') + '\n',
  );
  for (const [option, script] of [
    ['--after-install', 'postinst'],
    ['--after-remove', 'postrm'],
  ]) {
    if (!options.has(option)) continue;
    cpSync(options.get(option), join(root, 'DEBIAN', script));
    chmodSync(join(root, 'DEBIAN', script), 0o755);
  }
  const compression = options.get('--deb-compression') ?? 'xz';
  execFileSync(
    'dpkg-deb',
    ['--root-owner-group', `-Z${compression}`, '--build', root, options.get('--package')],
    {
      stdio: 'inherit',
    },
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
