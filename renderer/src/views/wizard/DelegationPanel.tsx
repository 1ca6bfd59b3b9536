import { Alert, Stack, Text } from '@mantine/core';
import { IconClockHour4 } from '@tabler/icons-react';
import { CopyField } from '../../components/CopyField';
import { ExternalLinkButton, StepLinkButton } from '../../components/links';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

/** The scope the service account is authorised for (design D3). */
export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/** Everything the Admin console's "Add new" asks for, and the page pre-filled with it. */
export function DelegationPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  return (
    <Stack gap="sm">
      {state.google.clientId ? (
        <CopyField label={t('google.clientId')} value={state.google.clientId} />
      ) : (
        <Text size="sm" c="dimmed">
          {t('dwd.noClientId')} <StepLinkButton stepId="gcp.client-id" size="compact-sm" />
        </Text>
      )}
      <CopyField label={t('dwd.scope')} value={CALENDAR_SCOPE} />
      {state.google.dwdLink && (
        <ExternalLinkButton
          href={state.google.dwdLink}
          label={t('dwd.openPrefilled')}
          w="fit-content"
        />
      )}
      <DelegationDelayNote />
    </Stack>
  );
}

/** Google says a new delegation can take up to 24 hours to work: shown wherever it applies. */
export function DelegationDelayNote() {
  const { t } = useI18n();
  return (
    <Alert
      color="blue"
      variant="light"
      icon={<IconClockHour4 aria-hidden />}
      data-testid="dwd-delay"
    >
      <Text size="sm">{t('dwd.delay')}</Text>
    </Alert>
  );
}
