import type { Localized } from '../../main/core/localized';
import type { UserRow } from '../../main/core/sync/state';
import type { LogEntry } from '../../main/core/sync/sync-log';
import { looksEnglish } from './finnish';

/**
 * The rule every word the engine writes keeps (issue 11): its own words come in Finnish and
 * English, so the Finnish UI never shows them in English; a server's words (Google's, Severa's)
 * stay as the server sent them and say whose they are. `world.sync` and the engine's unit runs
 * check every entry and every user's reason against it, so each scenario the suite drives is a
 * case of this test.
 */
function problem(
  message: string | null,
  fromServer: boolean,
  text: Localized | null | undefined,
): string | null {
  if (message === null && !text) return null; // no words: the UI names the action itself
  if (!text) return fromServer ? null : `"${message}" has no Finnish`;
  if (text.fi === text.en) return `the same words in both languages: "${text.fi}"`;
  if (looksEnglish(text.fi)) return `English in the Finnish: "${text.fi}"`;
  // Ours: the message is the text's English (an unexpected error's words are quoted in it).
  if (!fromServer && message !== null && !text.en.includes(message))
    return `"${message}" is not in the English of its text`;
  return null;
}

/** Entries whose own words would reach the Finnish UI in English (empty: none). */
export function untranslatedEntries(entries: LogEntry[]): string[] {
  return entries.flatMap((e) => {
    const found = problem(e.message, Boolean(e.messageFrom), e.text);
    return found ? [`${e.action} ${e.user ?? ''}: ${found}`] : [];
  });
}

/** Users whose reason has no Finnish (a server's reason comes with our diagnosis of it). */
export function untranslatedReasons(users: UserRow[]): string[] {
  return users.flatMap((u) => {
    if (!u.reason) return [];
    const found = u.reasonText
      ? problem(u.reason, true, u.reasonText)
      : `"${u.reason}" has no Finnish`;
    return found ? [`${u.email}: ${found}`] : [];
  });
}

/** Entries about an item of a user that do not name the item's title (issue 11: all do). */
export function untitledEntries(entries: LogEntry[]): string[] {
  return entries.flatMap((e) =>
    e.user && (e.severaGuid || e.googleId) && !e.title
      ? [`${e.action} ${e.user} ${e.severaGuid ?? e.googleId}: no title`]
      : [],
  );
}

/** Throws with every problem named: called after each run the tests make. */
export function expectEngineTexts(entries: LogEntry[], users: UserRow[] = []): void {
  const problems = [
    ...untranslatedEntries(entries),
    ...untranslatedReasons(users),
    ...untitledEntries(entries),
  ];
  if (problems.length > 0)
    throw new Error(`Engine words without Finnish:\n${[...new Set(problems)].join('\n')}`);
}
