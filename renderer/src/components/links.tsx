import { Button, type ButtonProps } from '@mantine/core';
import { IconArrowRight, IconExternalLink } from '@tabler/icons-react';
import { api } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';

/** Opens a page in the system browser; main checks the address against its allowlist. */
export function ExternalLinkButton({
  href,
  label,
  ...props
}: { href: string; label: string } & ButtonProps) {
  return (
    <Button
      variant="light"
      leftSection={<IconExternalLink size={16} aria-hidden />}
      onClick={() => void api().openExternal(href)}
      title={href}
      {...props}
    >
      {label}
    </Button>
  );
}

/**
 * Jumps to a step of the set-up checklist, named by its title (`short`: just "Fix it", with the
 * title as its accessible name, for tight table cells).
 */
export function StepLinkButton({
  stepId,
  short = false,
  ...props
}: { stepId: string; short?: boolean } & ButtonProps) {
  const { checklist, goToStep } = useApp();
  const { t, pick } = useI18n();
  const step = checklist.find((s) => s.id === stepId);
  const label = t('common.goToStep', { title: step ? pick(step.title) : stepId });
  return (
    <Button
      variant="subtle"
      rightSection={<IconArrowRight size={16} aria-hidden />}
      onClick={() => goToStep(stepId)}
      data-step-link={stepId}
      aria-label={label}
      title={short ? label : undefined}
      {...props}
    >
      {short ? t('common.fix') : label}
    </Button>
  );
}
