import { Alert, AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import {
  IconCalendarStats,
  IconChecklist,
  IconDoorExit,
  IconFlask,
  IconLayoutDashboard,
  IconPlayerPause,
  IconPlayerPlay,
  IconSettings,
  IconUsers,
} from '@tabler/icons-react';
import { api } from './api';
import { useI18n } from './i18n';
import { LanguageSwitch } from './components/LanguageSwitch';
import { isConfigured, isFirstStart, useApp, type View } from './state';
import { Welcome } from './views/Welcome';
import { Wizard } from './views/Wizard';
import { TestView } from './views/TestView';
import { Dashboard } from './views/Dashboard';
import { SettingsView } from './views/SettingsView';
import { UsersView } from './views/UsersView';

const NAV: { view: Exclude<View, 'welcome'>; icon: typeof IconChecklist }[] = [
  { view: 'wizard', icon: IconChecklist },
  { view: 'test', icon: IconFlask },
  { view: 'dashboard', icon: IconLayoutDashboard },
  { view: 'users', icon: IconUsers },
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

/** Pause/Resume of the background sync, and the way out of the demo: in the window, not only the tray. */
function HeaderActions() {
  const { state, setState, setView, reloadChecklist, checklist } = useApp();
  const { t } = useI18n();
  const paused = state.app.backgroundPaused;
  const togglePause = async () => {
    const result = await api().updateSettings({ app: { backgroundPaused: !paused } });
    if (result.ok) setState(result.value);
  };
  const leaveDemo = async () => {
    const result = await api().leaveDemo();
    if (!result.ok) return;
    setState(result.value);
    const steps = await api().getChecklist();
    await reloadChecklist();
    setView(isFirstStart(result.value, steps) ? 'welcome' : 'wizard');
  };
  return (
    <Group gap="xs" wrap="nowrap">
      {(state.demo || isConfigured(state)) && checklist.length > 0 && (
        <Button
          variant="default"
          size="xs"
          leftSection={
            paused ? (
              <IconPlayerPlay size={16} aria-hidden />
            ) : (
              <IconPlayerPause size={16} aria-hidden />
            )
          }
          onClick={() => void togglePause()}
          data-testid="pause-resume"
        >
          {paused ? t('header.resume') : t('header.pause')}
        </Button>
      )}
      {state.demo && (
        <Button
          variant="default"
          size="xs"
          leftSection={<IconDoorExit size={16} aria-hidden />}
          onClick={() => void leaveDemo()}
          title={t('header.leaveDemoHint')}
          data-testid="leave-demo"
        >
          {t('header.leaveDemo')}
        </Button>
      )}
      <LanguageSwitch />
    </Group>
  );
}

export function App() {
  const { view, setView, steps } = useApp();
  const { t } = useI18n();
  const done = steps.filter((s) => s.done).length;

  if (view === 'welcome') return <Welcome />;

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('common.skipToContent')}
      </a>
      <AppShell header={{ height: 56 }} navbar={{ width: 250, breakpoint: 0 }} padding="lg">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="xs" wrap="nowrap">
              <IconCalendarStats size={26} color="var(--mantine-color-teal-9)" aria-hidden />
              <Title order={1} size="h4">
                Severa Calendar Sync
              </Title>
            </Group>
            <HeaderActions />
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
                    <>
                      <Badge size="sm" variant="light" aria-hidden>
                        {done}/{steps.length}
                      </Badge>
                      <span className="visually-hidden">
                        , {t('nav.stepsDone', { done, total: steps.length })}
                      </span>
                    </>
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
          <Stack gap="md" id="main" tabIndex={-1} style={{ outline: 'none' }}>
            <EndpointBanner />
            {view === 'wizard' && <Wizard />}
            {view === 'test' && <TestView />}
            {view === 'dashboard' && <Dashboard />}
            {view === 'users' && <UsersView />}
            {view === 'settings' && <SettingsView />}
          </Stack>
        </AppShell.Main>
      </AppShell>
    </>
  );
}
