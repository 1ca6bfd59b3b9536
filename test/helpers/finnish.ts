/**
 * How the tests tell a Finnish text from an English one: English words that never belong in a
 * Finnish sentence. Quoted text (a console label such as "Create", or a server's own words),
 * bracketed English labels, scopes, addresses and interpolations are left out first: the admin
 * may run a console in English, and a server's answer stays as it was sent.
 */
const ENGLISH =
  /\b(the|and|of|to|is|with|your|this|that|for|from|not|has|have|will|when|entries|items?|users?|step|save|delete|sync|Yes|No)\b/i;

const withoutQuotedLabels = (text: string) =>
  text
    .replace(/"[^"]*"/g, '')
    .replace(/\([^)]*\)/g, '')
    .replace(/\{\{[^}]*\}\}/g, '')
    .replace(/[a-z]+:[a-z]+/g, '') // scopes such as activities:read
    .replace(/\b[\w.-]+@[\w.-]+\b/g, '')
    .replace(/\b[\w.-]+\.(com|fi|example)\b/g, '');

/** Whether a text meant to be Finnish has English words in it (outside quotes and brackets). */
export const looksEnglish = (finnish: string): boolean =>
  ENGLISH.test(withoutQuotedLabels(finnish));
