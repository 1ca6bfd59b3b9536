/**
 * The only external pages the app opens (design §5, Electron checklist item 15): the Google
 * consoles, Severa and the support pages the set-up steps point at. Pure, so it is tested
 * without Electron; main/app hands only allowed URLs to shell.openExternal.
 */
const EXACT_HOSTS = new Set([
  'console.cloud.google.com',
  'console.developers.google.com',
  'admin.google.com',
  'support.google.com',
  'severa.visma.com',
  'support.severa.com',
]);

/** Visma's own help sites (e.g. community.visma.com, help.visma.com) under https only. */
const VISMA_SUFFIX = '.visma.com';

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  // Credentials in a URL are a phishing trick (https://admin.google.com@evil.example/).
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  const host = url.hostname.toLowerCase();
  return (
    EXACT_HOSTS.has(host) || (host.endsWith(VISMA_SUFFIX) && host.length > VISMA_SUFFIX.length)
  );
}
