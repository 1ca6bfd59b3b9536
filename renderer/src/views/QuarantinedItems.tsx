import { useCallback, useState } from 'react';
import { Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { QuarantinedItemDto } from '../../../preload/api';
import { api } from '../api';
import { ServerWords, useWords } from '../components/EngineWords';
import { StepLinkButton } from '../components/links';
import { RetryQuarantined } from '../components/RetryQuarantined';
import { useAfterRuns } from '../components/useAfterRuns';
import { useI18n } from '../i18n';
import { useStartText } from './LiveLog';

function QuarantinedItem({
  item,
  onRetried,
}: {
  item: QuarantinedItemDto;
  onRetried(items: QuarantinedItemDto[]): void;
}) {
  const { t, formatTime } = useI18n();
  const startText = useStartText();
  const { ours, server, from } = useWords()(item);
  return (
    <Paper withBorder p="sm" data-quarantined-item={item.item} data-user={item.user}>
      <Stack gap={6}>
        <Text size="sm" fw={600} data-quarantined-title>
          {item.title ?? t('dashboard.untitled')}
          {item.start ? ` · ${startText(item.start)}` : ''}
        </Text>
        <Text size="xs" c="dimmed">
          {t('quarantine.failed', {
            user: item.user,
            action: t(`quarantine.actions.${item.action}`, { defaultValue: item.action }),
            count: item.failures,
            time: formatTime(item.quarantinedAt),
          })}
        </Text>
        {ours && (
          <Text size="sm" data-quarantined-words>
            {ours}
          </Text>
        )}
        {server && from && <ServerWords from={from} message={server} />}
        <Group gap="xs" align="flex-start">
          {item.step && <StepLinkButton stepId={item.step} size="compact-sm" />}
          <RetryQuarantined
            user={item.user}
            item={item.item}
            title={item.title}
            pending={item.retryRequested}
            onRetried={onRetried}
          />
        </Group>
      </Stack>
    </Paper>
  );
}

/**
 * Items the sync leaves alone because they kept failing for a reason retrying will not cure,
 * each with its title and start, our words and the server's, the step that fixes it, and Retry.
 */
export function QuarantinedItems() {
  const { t } = useI18n();
  const [items, setItems] = useState<QuarantinedItemDto[]>([]);
  // A finished run may quarantine items or settle retried ones.
  useAfterRuns(useCallback(() => api().listQuarantined().then(setItems), []));
  return (
    <Card withBorder padding="md" data-testid="quarantined">
      <Group justify="space-between" mb="xs">
        <Title order={3}>{t('quarantine.title')}</Title>
        {items.length > 1 && <RetryQuarantined onRetried={setItems} />}
      </Group>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('quarantine.none')}
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm">{t('quarantine.intro')}</Text>
          {items.map((q) => (
            <QuarantinedItem key={`${q.user} ${q.item}`} item={q} onRetried={setItems} />
          ))}
        </Stack>
      )}
    </Card>
  );
}
