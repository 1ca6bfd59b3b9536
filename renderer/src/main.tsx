import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import i18next from 'i18next';
import { api } from './api';
import { initI18n, uiLanguage } from './i18n';
import { AppProvider } from './state';
import { App } from './App';
import { cssVariablesResolver, theme } from './theme';

async function start() {
  await initI18n();
  const [state, checklist] = await Promise.all([api().getState(), api().getChecklist()]);
  await i18next.changeLanguage(uiLanguage(state.app));
  document.documentElement.lang = i18next.language;
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
        <Notifications position="bottom-right" />
        <AppProvider initial={{ state, checklist }}>
          <App />
        </AppProvider>
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
