// Module loader hooks (see register.mjs): `electron` and `electron-updater` become recorders.
import { URL } from 'node:url';
const REPLACED = {
  electron: new URL('./electron.mjs', import.meta.url).href,
  'electron-updater': new URL('./electron-updater.mjs', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (specifier in REPLACED) return { url: REPLACED[specifier], shortCircuit: true };
  return next(specifier, context);
}
