import { useState } from 'react';
import {
  Button,
  Card,
  Center,
  Container,
  Group,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconBuildingSkyscraper, IconCalendarStats, IconPlayerPlay } from '@tabler/icons-react';
import type { ErrorDto } from '../../../preload/api';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n';
import { useApp } from '../state';

/** The first start: set up for the company, or see everything work against the demo company. */
export function Welcome() {
  const { setView, setState, reloadChecklist } = useApp();
  const { t } = useI18n();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);

  const startDemo = async () => {
    setStarting(true);
    setError(null);
    const result = await api().startDemo();
    setStarting(false);
    if (!result.ok) return setError(result.error);
    setState(result.value);
    await reloadChecklist();
    setView('dashboard');
  };

  return (
    <Container size="md" py={48}>
      <Stack gap="xl">
        <Group justify="space-between">
          <Group gap="sm">
            <IconCalendarStats size={40} color="var(--mantine-color-teal-7)" aria-hidden />
            <Title order={1}>Severa Calendar Sync</Title>
          </Group>
          <LanguageSwitch />
        </Group>
        <Text size="lg">{t('welcome.intro')}</Text>
        {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
        <SimpleGrid cols={2} spacing="lg">
          <Card withBorder padding="xl">
            <Stack h="100%" justify="space-between">
              <Stack gap="sm">
                <ThemeIcon size={44} variant="light" aria-hidden>
                  <IconBuildingSkyscraper />
                </ThemeIcon>
                <Title order={2} size="h3">
                  {t('welcome.setupTitle')}
                </Title>
                <Text c="dimmed">{t('welcome.setupBody')}</Text>
              </Stack>
              <Button onClick={() => setView('wizard')} size="md">
                {t('welcome.setupButton')}
              </Button>
            </Stack>
          </Card>
          <Card withBorder padding="xl">
            <Stack h="100%" justify="space-between">
              <Stack gap="sm">
                <ThemeIcon size={44} variant="light" color="yellow" aria-hidden>
                  <IconPlayerPlay />
                </ThemeIcon>
                <Title order={2} size="h3">
                  {t('welcome.demoTitle')}
                </Title>
                <Text c="dimmed">{t('welcome.demoBody')}</Text>
              </Stack>
              <Button
                onClick={() => void startDemo()}
                loading={starting}
                variant="light"
                color="yellow"
                size="md"
              >
                {t('welcome.demoButton')}
              </Button>
            </Stack>
          </Card>
        </SimpleGrid>
        <Center>
          <Text size="sm" c="dimmed">
            {t('welcome.footer')}
          </Text>
        </Center>
      </Stack>
    </Container>
  );
}
