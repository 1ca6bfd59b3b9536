import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import i18next from 'i18next';
import type { AppStateDto, ChecklistStepDto } from '../../preload/api';
import { api } from './api';
import { uiLanguage } from './i18n';

export type View = 'welcome' | 'wizard' | 'test' | 'dashboard' | 'settings';

interface AppContextValue {
  state: AppStateDto;
  checklist: ChecklistStepDto[];
  view: View;
  selectedStep: string;
  setView(view: View): void;
  /** Opens the wizard at a step: where every error's "fix it here" leads. */
  goToStep(stepId: string): void;
  setState(state: AppStateDto): void;
  setChecklist(steps: ChecklistStepDto[]): void;
  reloadChecklist(): Promise<void>;
}

const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

/** Nothing configured and no demo: the first start, which offers the two ways in. */
const isFirstStart = (state: AppStateDto, checklist: ChecklistStepDto[]) =>
  !state.demo &&
  !state.google.serviceAccountEmail &&
  !state.google.keyStored &&
  !state.severa.clientId &&
  checklist.every((s) => !s.done);

/** Both sides have credentials: the dashboard is where the admin wants to land. */
const isConfigured = (state: AppStateDto) =>
  state.google.keyStored && state.severa.secretStored && Boolean(state.severa.clientId);

export function AppProvider({
  initial,
  children,
}: {
  initial: { state: AppStateDto; checklist: ChecklistStepDto[] };
  children: ReactNode;
}) {
  const [state, setStateRaw] = useState(initial.state);
  const [checklist, setChecklist] = useState(initial.checklist);
  const [view, setView] = useState<View>(() => {
    if (isFirstStart(initial.state, initial.checklist)) return 'welcome';
    return initial.state.demo || isConfigured(initial.state) ? 'dashboard' : 'wizard';
  });
  const [selectedStep, setSelectedStep] = useState(
    () => initial.checklist.find((s) => !s.done)?.id ?? initial.checklist[0]?.id ?? '',
  );

  const setState = useCallback((next: AppStateDto) => {
    setStateRaw(next);
    const language = uiLanguage(next.app);
    if (i18next.language !== language) void i18next.changeLanguage(language);
    document.documentElement.lang = language;
  }, []);

  const reloadChecklist = useCallback(async () => setChecklist(await api().getChecklist()), []);

  useEffect(() => api().on('state-changed', setState), [setState]);

  const goToStep = useCallback((stepId: string) => {
    setSelectedStep(stepId);
    setView('wizard');
  }, []);

  const value = useMemo(
    () => ({
      state,
      checklist,
      view,
      selectedStep,
      setView,
      goToStep,
      setState,
      setChecklist,
      reloadChecklist,
    }),
    [state, checklist, view, selectedStep, goToStep, setState, reloadChecklist],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
