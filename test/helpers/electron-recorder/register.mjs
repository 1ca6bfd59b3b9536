// `node --import ./register.mjs dist/app/main.js`: the built main process under plain Node, with
// `electron` (and `electron-updater`) resolved by a module loader hook to recorders of their
// API. RECORDER_BREAK=libsql makes loading libsql fail as a missing native binary would.
import { register } from 'node:module';
import Module from 'node:module';
import process from 'node:process';

register('./hooks.mjs', import.meta.url);

if (process.env.RECORDER_BREAK === 'libsql') {
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'libsql')
      throw new Error(
        "Cannot find module '@libsql/linux-x64-gnu' (recorder: RECORDER_BREAK=libsql)",
      );
    return load.call(this, request, ...rest);
  };
}
