import { Alert, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ErrorDto } from '../../../preload/api';
import { useI18n } from '../i18n';
import { ExternalLinkButton, StepLinkButton } from './links';

/**
 * An error shown inline where it happened (GitHub Desktop's DialogError): what happened, the
 * step that fixes it and the page where that step is done.
 */
export function ErrorAlert({ error, onClose }: { error: ErrorDto; onClose?: () => void }) {
  const { t, pick } = useI18n();
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={t('common.errorTitle')}
      withCloseButton={Boolean(onClose)}
      onClose={onClose}
      closeButtonLabel={t('common.close')}
      role="alert"
      data-error-code={error.code}
    >
      <Text size="sm">{pick(error.message)}</Text>
      {(error.step || error.link) && (
        <Group gap="xs" mt="xs">
          {error.step && <StepLinkButton stepId={error.step} size="compact-sm" />}
          {error.link && (
            <ExternalLinkButton href={error.link} label={t('common.openPage')} size="compact-sm" />
          )}
        </Group>
      )}
    </Alert>
  );
}
