// electron-builder's afterPack hook: the packed app must hold keytar's and libsql's native
// binaries for the platform and architecture it was packed for (they exist only for the
// machine that ran npm install: a Linux runner cannot pack a working Windows app).
import { Buffer } from 'node:buffer';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
const ARCH = { 1: 'x64', 3: 'arm64' };
const LIBSQL_PACKAGE = {
  'linux-x64': 'linux-x64-gnu',
  'linux-arm64': 'linux-arm64-gnu',
  'win32-x64': 'win32-x64-msvc',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
};

/** The binary format a native module must have: ELF, PE or Mach-O, with its machine. */
function binaryKind(file) {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  if (header.readUInt32BE(0) === 0x7f454c46)
    return `linux-${{ 0x3e: 'x64', 0xb7: 'arm64' }[header.readUInt16LE(18)] ?? 'other'}`;
  if (header.toString('latin1', 0, 2) === 'MZ') return 'win32-pe';
  if (header.readUInt32LE(0) === 0xfeedfacf)
    return `darwin-${{ 0x01000007: 'x64', 0x0100000c: 'arm64' }[header.readUInt32LE(4)] ?? 'other'}`;
  return 'unknown';
}

export function checkNativeModules({ appOutDir, electronPlatformName: platform, arch, packager }) {
  const archName = ARCH[arch];
  const key = `${platform}-${archName}`;
  const resources = packager.getResourcesDir(appOutDir);
  const modules = join(resources, 'app.asar.unpacked', 'node_modules');
  const binaries = [
    join(modules, 'keytar', 'build', 'Release', 'keytar.node'),
    join(modules, '@libsql', LIBSQL_PACKAGE[key] ?? `unsupported-${key}`, 'index.node'),
  ];
  const problems = [];
  for (const file of binaries) {
    if (!existsSync(file)) problems.push(`missing ${file}`);
    else {
      const kind = binaryKind(file);
      const expected = platform === 'win32' ? 'win32-pe' : key;
      if (kind !== expected) problems.push(`${file} is ${kind}, not ${expected}`);
    }
  }
  if (problems.length > 0)
    throw new Error(
      `The package for ${key} lacks its native binaries (pack it on a ${key} machine after npm ci):\n${problems.join('\n')}`,
    );
}

export default async function afterPack(context) {
  checkNativeModules(context);
}
