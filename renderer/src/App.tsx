import { Alert, AppShell, Badge, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import {
  IconCalendarStats,
  IconChecklist,
  IconFlask,
  IconLayoutDashboard,
  IconSettings,
} from '@tabler/icons-react';
import { useI18n } from './i18n';
import { LanguageSwitch } from './components/LanguageSwitch';
import { useApp, type View } from './state';
import { Welcome } from './views/Welcome';
import { Wizard } from './views/Wizard';
import { TestView } from './views/TestView';
import { Dashboard } from './views/Dashboard';
import { SettingsView } from './views/SettingsView';

const NAV: { view: Exclude<View, 'welcome'>; icon: typeof IconChecklist }[] = [
  { view: 'wizard', icon: IconChecklist },
  { view: 'test', icon: IconFlask },
  { view: 'dashboard', icon: IconLayoutDashboard },
  { view: 'settings', icon: IconSettings },
];

/** Shown while any endpoint is not the real service, so a sandbox is never mistaken for prod. */
function EndpointBanner() {
  const { state } = useApp();
  const { t } = useI18n();
  if (!state.demo && state.nonRealEndpoints.length === 0) return null;
  return (
    <Alert
      color="yellow"
      variant="filled"
      radius={0}
      py={6}
      role="status"
      data-testid="sandbox-banner"
    >
      <Text size="sm" fw={500}>
        {state.demo ? t('banner.demo') : t('banner.endpoints')}{' '}
        {state.nonRealEndpoints.length > 0 && (
          <Text span size="xs" ff="monospace">
            {state.nonRealEndpoints.join(' · ')}
          </Text>
        )}
      </Text>
    </Alert>
  );
}

export function App() {
  const { view, setView, checklist } = useApp();
  const { t } = useI18n();
  const done = checklist.filter((s) => s.done).length;

  if (view === 'welcome') return <Welcome />;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 0 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <IconCalendarStats size={26} color="var(--mantine-color-teal-7)" aria-hidden />
            <Title order={1} size="h4">
              Severa Calendar Sync
            </Title>
          </Group>
          <LanguageSwitch />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')} style={{ bottom: 0, height: 'auto' }}>
        <Stack gap={4}>
          {NAV.map(({ view: target, icon: Icon }) => (
            <NavLink
              key={target}
              component="button"
              active={view === target}
              label={t(`nav.${target}`)}
              leftSection={<Icon size={18} aria-hidden />}
              rightSection={
                target === 'wizard' ? (
                  <Badge
                    size="sm"
                    variant="light"
                    aria-label={t('nav.stepsDone', { done, total: checklist.length })}
                  >
                    {done}/{checklist.length}
                  </Badge>
                ) : undefined
              }
              onClick={() => setView(target)}
              aria-current={view === target ? 'page' : undefined}
              data-nav={target}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Stack gap="md">
          <EndpointBanner />
          {view === 'wizard' && <Wizard />}
          {view === 'test' && <TestView />}
          {view === 'dashboard' && <Dashboard />}
          {view === 'settings' && <SettingsView />}
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}
