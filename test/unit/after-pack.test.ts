import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNativeModules } from '../../scripts/after-pack.mjs';

/** The post-pack check (electron-builder's afterPack): a package holds its platform's binaries. */
describe('after-pack native module check', () => {
  let appOutDir: string;
  const unpacked = (...parts: string[]) =>
    join(appOutDir, 'resources', 'app.asar.unpacked', 'node_modules', ...parts);
  const context = (electronPlatformName: string, arch: number) => ({
    appOutDir,
    electronPlatformName,
    arch,
    packager: { getResourcesDir: (dir: string) => join(dir, 'resources') },
  });

  beforeAll(() => {
    // A Linux x64 pack, with the binaries npm installed on this machine.
    appOutDir = mkdtempSync(join(tmpdir(), 'after-pack-'));
    for (const path of [
      ['keytar', 'build', 'Release', 'keytar.node'],
      ['@libsql', 'linux-x64-gnu', 'index.node'],
    ]) {
      mkdirSync(dirname(unpacked(...path)), { recursive: true });
      copyFileSync(join('node_modules', ...path), unpacked(...path));
    }
  });
  afterAll(() => rmSync(appOutDir, { recursive: true, force: true }));

  it('passes a package packed on its own platform', () => {
    expect(() => checkNativeModules(context('linux', 1))).not.toThrow();
  });

  it('fails a Windows or arm64 package that carries this machine’s Linux x64 binaries', () => {
    expect(() => checkNativeModules(context('win32', 1))).toThrow(
      /lacks its native binaries[\s\S]*keytar\.node is linux-x64, not win32-pe[\s\S]*missing .*win32-x64-msvc/,
    );
    expect(() => checkNativeModules(context('linux', 3))).toThrow(/linux-x64, not linux-arm64/);
  });
});
