import { useState } from 'react';
import { Alert, Badge, Button, Group, Stack } from '@mantine/core';
import { IconRotateClockwise } from '@tabler/icons-react';
import type { ErrorDto, QuarantinedItemDto } from '../../../preload/api';
import { api } from '../api';
import { useI18n } from '../i18n';
import { ErrorAlert } from './ErrorAlert';

type Outcome = { kind: 'marked'; count: number; next: string | null } | { kind: 'gone' };

/** What a retry did, and what happens next: the next run (or Sync now) reads the item again. */
function RetryOutcome({
  outcome,
  single,
  title,
}: {
  outcome: Outcome;
  single: boolean;
  title: string;
}) {
  const { t, formatTime } = useI18n();
  const text =
    outcome.kind === 'gone'
      ? t('quarantine.gone', { title })
      : single
        ? outcome.next
          ? t('quarantine.marked', { title, time: formatTime(outcome.next) })
          : t('quarantine.markedPaused', { title })
        : outcome.next
          ? t('quarantine.markedAll', { count: outcome.count, time: formatTime(outcome.next) })
          : t('quarantine.markedAllPaused', { count: outcome.count });
  return (
    <Alert color="teal" variant="light" role="status" data-testid="retry-outcome">
      {text}
    </Alert>
  );
}

/**
 * Asks for one item (or, without `item`, every quarantined item) to be tried again: it marks
 * them, and says so with when the next run will do it.
 */
export function RetryQuarantined({
  user,
  item,
  title,
  pending = false,
  onRetried,
}: {
  user?: string;
  item?: string;
  title?: string | null;
  /** Asked for already: the next run tries it again. */
  pending?: boolean;
  onRetried?(items: QuarantinedItemDto[]): void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const retry = async () => {
    setBusy(true);
    setError(null);
    const result = await api().retryQuarantined({ ...(user && { user }), ...(item && { item }) });
    const { nextRunAt } = await api().getStatus();
    setBusy(false);
    if (!result.ok) return setError(result.error);
    const marked = result.value.filter(
      (q) => q.retryRequested && (!user || q.user === user) && (!item || q.item === item),
    );
    setOutcome(
      marked.length === 0
        ? { kind: 'gone' }
        : { kind: 'marked', count: marked.length, next: nextRunAt },
    );
    onRetried?.(result.value);
  };
  return (
    <Stack gap="xs">
      {!outcome && pending && (
        <Badge color="teal" variant="light" tt="none" data-testid="retry-pending">
          {t('quarantine.pending')}
        </Badge>
      )}
      {!outcome && !pending && (
        <Group>
          <Button
            size="compact-sm"
            variant={item ? 'light' : 'default'}
            leftSection={<IconRotateClockwise size={16} aria-hidden />}
            loading={busy}
            onClick={() => void retry()}
            data-testid={item ? 'retry-item' : 'retry-all'}
          >
            {item ? t('quarantine.retry') : t('quarantine.retryAll')}
          </Button>
        </Group>
      )}
      {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
      {outcome && (
        <RetryOutcome
          outcome={outcome}
          single={item !== undefined}
          title={title ?? t('dashboard.untitled')}
        />
      )}
    </Stack>
  );
}
