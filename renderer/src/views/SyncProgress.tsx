import { useState } from 'react';
import { Card, Group, Progress, Stack, Text, VisuallyHidden } from '@mantine/core';
import type { SyncProgressDto } from '../../../preload/api';
import { useI18n } from '../i18n';

/** Until Severa's first user page has arrived there are no users to count: still reading. */
const phaseOf = (p: SyncProgressDto): SyncProgressDto['phase'] =>
  p.phase === 'users' && p.usersTotal === 0 ? 'reading' : p.phase;

/** Announced to a screen reader only at these steps: the phase, then each tenth of the users. */
const milestone = (p: SyncProgressDto) =>
  phaseOf(p) === 'users' ? `users-${Math.floor((p.usersDone / p.usersTotal) * 10)}` : phaseOf(p);

function useProgressTexts() {
  const { t, language } = useI18n();
  const number = new Intl.NumberFormat(language === 'fi' ? 'fi-FI' : 'en-GB', {
    maximumFractionDigits: 1,
  });
  const n = (x: number) => number.format(x);
  const duration = (seconds: number) => {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return t('progress.duration.seconds', { s });
    const minutes = Math.round(s / 60);
    if (minutes < 60) return t('progress.duration.minutes', { m: minutes });
    return t('progress.duration.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  };
  /** What the bar says: the phase, or users done of all (also its accessible value text). */
  const value = (p: SyncProgressDto) =>
    phaseOf(p) === 'reading'
      ? t('progress.reading')
      : p.phase === 'done'
        ? t('progress.done', { count: p.usersTotal, total: n(p.usersTotal) })
        : t('progress.users', {
            count: p.usersTotal,
            done: n(p.usersDone),
            total: n(p.usersTotal),
          });
  return { t, n, duration, value };
}

/**
 * The run in progress: users done of all as a bar, items written per side, the current rate and
 * the time left (from the measured rate and Severa's limit, computed by the engine). Formatted
 * here from the event's numbers. The bar is a progressbar with a value text; a polite live region
 * says only the phase and each tenth, so a screen reader is not read every half-second event.
 */
export function SyncProgress({ progress }: { progress: SyncProgressDto }) {
  const { t, n, duration, value } = useProgressTexts();
  const { formatTime } = useI18n();
  const p = progress;
  const phase = phaseOf(p);
  const percent =
    phase === 'done'
      ? 100
      : phase === 'users'
        ? Math.round((p.usersDone / p.usersTotal) * 100)
        : null;
  const valueText = value(p);
  return (
    <Card withBorder padding="md" data-testid="sync-progress" data-phase={phase}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="sm" fw={600} id="sync-progress-label">
            {p.phase === 'done' ? t('progress.titleDone') : t('progress.title')}
          </Text>
          <Text size="sm" c="dimmed" data-progress-elapsed>
            {p.phase === 'done'
              ? t('progress.took', { time: duration(p.elapsedSeconds) })
              : t('progress.elapsed', { time: duration(p.elapsedSeconds) })}
          </Text>
        </Group>
        {/* Mantine's section would say "42%"; the bar's value text names the users instead. */}
        <Progress.Root
          size="lg"
          role="progressbar"
          aria-labelledby="sync-progress-label"
          aria-valuemin={0}
          aria-valuemax={percent === null ? undefined : 100}
          aria-valuenow={percent ?? undefined}
          aria-valuetext={valueText}
          data-users-done={p.usersDone}
          data-users-total={p.usersTotal}
        >
          <Progress.Section
            withAria={false}
            value={percent ?? 100}
            striped={percent === null}
            color={p.phase === 'done' ? 'teal' : 'blue'}
          />
        </Progress.Root>
        <Text size="sm" fw={600} data-progress-value>
          {valueText}
        </Text>
        <Group gap="lg" wrap="wrap">
          <Text size="sm" data-progress-written="to-google">
            {t('progress.toGoogle', { count: p.written.toGoogle, n: n(p.written.toGoogle) })}
          </Text>
          <Text size="sm" data-progress-written="to-severa">
            {t('progress.toSevera', { count: p.written.toSevera, n: n(p.written.toSevera) })}
          </Text>
          {p.phase !== 'done' && (
            <Text size="sm" data-progress-rate>
              {[
                t('progress.itemsRate', { n: n(p.itemsPerSecond) }),
                p.severaRequestsPerSecond !== null &&
                  t('progress.severaRate', { n: n(p.severaRequestsPerSecond) }),
              ]
                .filter(Boolean)
                .join(' · ')}
            </Text>
          )}
          {p.phase !== 'done' && (
            <Text size="sm" fw={600} data-progress-eta>
              {p.etaSeconds === null
                ? t('progress.etaUnknown')
                : t('progress.eta', { time: duration(p.etaSeconds) })}
            </Text>
          )}
        </Group>
        {p.resumed && (
          <Text size="sm" c="dimmed" data-progress-resumed>
            {t('progress.resumed', {
              count: p.resumed.usersDone,
              n: n(p.resumed.usersDone),
              time: formatTime(p.resumed.previousRunStartedAt),
            })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/**
 * The polite live region for the progress: mounted for the dashboard's life (a region added
 * together with its text is often not read), its text changed only at a milestone.
 */
export function SyncProgressAnnouncer({ progress }: { progress: SyncProgressDto | null }) {
  const { value } = useProgressTexts();
  const key = progress ? `${progress.runId ?? ''}-${milestone(progress)}` : null;
  const [said, setSaid] = useState<{ key: string | null; text: string }>({ key: null, text: '' });
  // Only a new milestone speaks (set while rendering, React's way to follow a prop); the
  // numbers between two milestones stay silent.
  if (progress && key !== said.key) setSaid({ key, text: value(progress) });
  return (
    <VisuallyHidden role="status" aria-live="polite" data-testid="sync-progress-announcement">
      {said.text}
    </VisuallyHidden>
  );
}
