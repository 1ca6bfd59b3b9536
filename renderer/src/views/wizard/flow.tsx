import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import { Title } from '@mantine/core';
import { useI18n } from '../../i18n';

/** Lets a step's form move the flow on once its save is verified. */
export const StepDoneContext = createContext<() => void>(() => undefined);
export const useStepDone = () => useContext(StepDoneContext);

/** The heading of what was just opened takes the focus, so keyboard users start reading there. */
export function FocusedHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <Title
      order={2}
      size="h3"
      ref={ref}
      tabIndex={-1}
      style={{ outline: 'none' }}
      data-step-heading
    >
      {children}
    </Title>
  );
}

const PROOFS = ['save', 'key-import', 'severa-token', 'severa-activity-types', 'test', 'demo'];

/** What verified a step, in words (a check id is never shown). */
export function useProofText() {
  const { t } = useI18n();
  return (provedBy: string) =>
    PROOFS.includes(provedBy) ? t(`proof.${provedBy}`) : t('proof.check');
}
