// Writes a stand-in for Electron's Linux distribution (the folder electron-builder's
// `electronDist` points at), for packing where the Electron download cannot be reached (CI).
// The layout and file names are Electron's; the executable is a shell script that carries the
// fuse sentinel and wire, so @electron/fuses flips real fuses in it, and the packed app can be
// inspected (asar, unpacked native modules, fuses, .deb control) without Electron itself.
// Usage: node scripts/electron-standin.mjs <dir>
import { Buffer } from 'node:buffer';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/electron-standin.mjs <dir>');
const { version } = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8'));
/** @electron/fuses: the sentinel, the wire version (1), its length, one byte per fuse. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's defaults: RunAsNode, NodeOptions, NodeCliInspect and file:// privileges on.
const WIRE = '10110001';

mkdirSync(join(dir, 'resources'), { recursive: true });
mkdirSync(join(dir, 'locales'), { recursive: true });
const script = `#!/bin/sh\necho "Electron stand-in ${version}: not a real Electron" >&2\nexit 1\n# `;
writeFileSync(
  join(dir, 'electron'),
  Buffer.concat([
    Buffer.from(script + SENTINEL),
    Buffer.from([1, WIRE.length]),
    Buffer.from(WIRE + '\n'),
  ]),
  { mode: 0o755 },
);
writeFileSync(join(dir, 'chrome-sandbox'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
writeFileSync(join(dir, 'chrome_crashpad_handler'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
for (const file of ['libffmpeg.so', 'icudtl.dat', 'resources.pak', 'v8_context_snapshot.bin'])
  writeFileSync(join(dir, file), '');
writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
writeFileSync(join(dir, 'LICENSE'), 'Electron stand-in (MIT, as Electron)\n');
writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>stand-in</p>\n');
writeFileSync(join(dir, 'version'), version);
