import { Stack, Text } from '@mantine/core';
import type { Localized, MessageFrom } from '../../../preload/api';
import { useI18n } from '../i18n';

/** What main sends with an entry, an item or a reason: our words and, maybe, a server's. */
export interface Words {
  message: string | null;
  messageFrom?: MessageFrom;
  text?: Localized | null;
}

/**
 * Our words in the UI's language, and the server's own (Google's, Severa's) as it sent them.
 * An entry from before our words were kept in both languages has only `message`: shown as is.
 */
export function useWords() {
  const { pick } = useI18n();
  return ({ message, messageFrom, text }: Words) => ({
    ours: text ? pick(text) : messageFrom ? null : message || null,
    server: messageFrom ? message : null,
    from: messageFrom ?? null,
  });
}

/** The server's exact answer, labelled with whose it is. */
export function ServerWords({ from, message }: { from: 'google' | 'severa'; message: string }) {
  const { t } = useI18n();
  return (
    <Stack gap={2} data-server-words={from}>
      <Text size="xs" fw={600}>
        {t(`words.serverSaid.${from}`)}
      </Text>
      <Text size="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {message}
      </Text>
    </Stack>
  );
}
