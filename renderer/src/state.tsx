import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import i18next from 'i18next';
import type { AppStateDto, ChecklistStepDto } from '../../preload/api';
import { api } from './api';
import { uiLanguage } from './i18n';

export type View = 'welcome' | 'wizard' | 'test' | 'dashboard' | 'users' | 'settings';

/** Where the set-up stands: the notes before the start, a step, or the finish. */
export const BEFORE = 'before';
export const FINISH = 'done';

interface AppContextValue {
  state: AppStateDto;
  checklist: ChecklistStepDto[];
  /** The flow's steps only, in order (notes excluded). */
  steps: ChecklistStepDto[];
  view: View;
  selectedStep: string;
  setView(view: View): void;
  /** Opens the set-up at a step (or BEFORE / FINISH): where every error's "fix it" leads. */
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
export const isFirstStart = (state: AppStateDto, checklist: ChecklistStepDto[]) =>
  !state.demo &&
  !state.google.serviceAccountEmail &&
  !state.google.keyStored &&
  !state.severa.clientId &&
  checklist.every((s) => !s.done);

/** Both sides have credentials: the dashboard is where the admin wants to land. */
export const isConfigured = (state: AppStateDto) =>
  state.google.keyStored && state.severa.secretStored && Boolean(state.severa.clientId);

const firstOpenStep = (checklist: ChecklistStepDto[]) => {
  const steps = checklist.filter((s) => s.kind === 'step');
  if (steps.every((s) => !s.done)) return BEFORE;
  return steps.find((s) => !s.provedBy)?.id ?? FINISH;
};

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
  const [selectedStep, setSelectedStep] = useState(() => firstOpenStep(initial.checklist));

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

  const steps = useMemo(() => checklist.filter((s) => s.kind === 'step'), [checklist]);

  const value = useMemo(
    () => ({
      state,
      checklist,
      steps,
      view,
      selectedStep,
      setView,
      goToStep,
      setState,
      setChecklist,
      reloadChecklist,
    }),
    [state, checklist, steps, view, selectedStep, goToStep, setState, reloadChecklist],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
