import { Alert, Button, Card, List, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { FocusedHeading } from './flow';

/** Severa's own Google sync: what this app replaces, to be kept off (the help page's steps for it). */
const BUILT_IN = ['severa.google-settings', 'user.enable'];

/** The prerequisites and warnings of the help page, as one panel to read before the first step. */
export function BeforeYouStart() {
  const { checklist, steps, goToStep } = useApp();
  const { t, pick } = useI18n();
  const notes = checklist.filter((s) => s.kind === 'note' && !BUILT_IN.includes(s.id));
  const builtIn = checklist.filter((s) => BUILT_IN.includes(s.id));
  return (
    <Card withBorder padding="lg" data-testid="before-you-start">
      <Stack gap="md">
        <FocusedHeading>{t('before.title')}</FocusedHeading>
        <Text>{t('before.intro')}</Text>
        <List spacing="sm">
          {notes.map((note) => (
            <List.Item key={note.id} data-note={note.id}>
              <Text fw={600} size="sm">
                {pick(note.title)}
              </Text>
              <Text size="sm">{t(`steps.${note.id}`)}</Text>
            </List.Item>
          ))}
        </List>
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle aria-hidden />}
          data-testid="built-in-sync"
        >
          <Stack gap="xs">
            <Title order={3} size="h5">
              {t('before.builtIn')}
            </Title>
            <Text size="sm">{t('before.builtInIntro')}</Text>
            {builtIn.map((note) => (
              <Text size="sm" key={note.id} data-note={note.id}>
                <strong>{pick(note.title)}.</strong> {t(`steps.${note.id}`)}
              </Text>
            ))}
          </Stack>
        </Alert>
        <Button
          w="fit-content"
          onClick={() => steps[0] && goToStep(steps[0].id)}
          data-testid="start-flow"
        >
          {t('before.start')}
        </Button>
      </Stack>
    </Card>
  );
}
