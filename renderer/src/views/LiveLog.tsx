import { useEffect, useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Card,
  Drawer,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconSearch } from '@tabler/icons-react';
import { Virtuoso } from 'react-virtuoso';
import type { LogEntryDto } from '../../../preload/api';
import { api, downloadText } from '../api';
import { ServerWords, useWords } from '../components/EngineWords';
import { StepLinkButton } from '../components/links';
import { RetryQuarantined } from '../components/RetryQuarantined';
import { useI18n } from '../i18n';

/** As many as the log query allows: the list is virtualised, so 100 000 rows stay smooth. */
const LOG_LIMIT = 100_000;
const LOG_HEIGHT = 420;

const LEVEL_COLOR: Record<LogEntryDto['level'], string> = {
  debug: 'gray',
  info: 'blue',
  warn: 'yellow',
  error: 'red',
};
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

interface Filters {
  user: string | null;
  direction: string | null;
  level: string | null;
  search: string;
}

function matches(entry: LogEntryDto, { user, direction, level, search }: Filters): boolean {
  if (user && entry.user !== user) return false;
  if (direction && entry.direction !== direction) return false;
  // "This level and worse", as the service filters.
  if (level && LEVELS.indexOf(entry.level) < LEVELS.indexOf(level as LogEntryDto['level']))
    return false;
  if (!search) return true;
  const needle = search.toLowerCase();
  const words = [entry.message, entry.text?.fi ?? '', entry.text?.en ?? ''];
  return [...words, entry.action, entry.result, entry.user ?? '', entry.title ?? ''].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

/** The action in words; a held deletion says what it would do, not what it did. */
export function useActionText() {
  const { t } = useI18n();
  return (entry: Pick<LogEntryDto, 'action' | 'result'>) =>
    entry.result === 'held'
      ? t(`log.held.${entry.action}`, { defaultValue: t('log.result.held') })
      : t(`log.action.${entry.action}`, { defaultValue: entry.action });
}

/** An entry's start in the admin's own time: dates for all-day entries, times otherwise. */
export function useStartText() {
  const { formatTime, formatDate } = useI18n();
  return (start: string | null) =>
    !start ? '' : /^\d{4}-\d{2}-\d{2}$/.test(start) ? formatDate(start) : formatTime(start);
}

function LogRow({ entry, onOpen }: { entry: LogEntryDto; onOpen(entry: LogEntryDto): void }) {
  const { t, formatTime } = useI18n();
  const actionText = useActionText();
  const startText = useStartText();
  const { ours, server } = useWords()(entry);
  const message = ours ?? server;
  return (
    <button
      type="button"
      className="log-row"
      onClick={() => onOpen(entry)}
      data-log-entry={entry.id}
    >
      <Text span size="xs" c="dimmed" w={140} style={{ flexShrink: 0 }}>
        {formatTime(entry.time)}
      </Text>
      <Badge
        size="sm"
        w={84}
        color={LEVEL_COLOR[entry.level]}
        variant="light"
        tt="none"
        style={{ flexShrink: 0 }}
      >
        {t(`log.levels.${entry.level}`)}
      </Badge>
      <Text span size="xs" w={70} style={{ flexShrink: 0 }}>
        {entry.direction ? t(`log.directionShort.${entry.direction}`) : ''}
      </Text>
      <Text span size="xs" ff="monospace" style={{ flex: '0 1 220px', overflowWrap: 'anywhere' }}>
        {entry.user ?? ''}
      </Text>
      <Text span size="sm" fw={500} style={{ flex: '0 1 190px' }}>
        {actionText(entry)}
      </Text>
      <Text
        span
        size="sm"
        className="log-message"
        c={message || entry.title ? undefined : 'dimmed'}
      >
        {entry.title && (
          <Text span fw={600} data-log-title>
            {entry.title}
            {entry.start ? ` · ${startText(entry.start)}` : ''}
            {message ? ' — ' : ''}
          </Text>
        )}
        <span data-log-words>
          {message ||
            (!entry.title && t(`log.result.${entry.result}`, { defaultValue: entry.result }))}
        </span>
      </Text>
    </button>
  );
}

type Versions = Record<string, unknown> & { title?: unknown; start?: unknown; end?: unknown };
const FIELDS = ['title', 'start', 'end', 'allDay', 'location', 'notes', 'private'] as const;

/** A conflict's two versions side by side, the kept one marked. */
function ConflictVersions({ details }: { details: Record<string, unknown> }) {
  const { t } = useI18n();
  const startText = useStartText();
  const severa = details.severa as Versions | undefined;
  const google = details.google as Versions | undefined;
  if (!severa || !google) return null;
  const show = (key: string, value: unknown) =>
    typeof value === 'boolean'
      ? value
        ? t('log.yes')
        : t('log.no')
      : key === 'start' || key === 'end'
        ? startText(String(value))
        : String(value ?? '');
  const winner = details.winner === 'google' ? 'google' : 'severa';
  return (
    <Stack gap="xs" data-testid="conflict-versions">
      <Title order={3} size="h5">
        {t('log.conflict')}
      </Title>
      <Table withTableBorder withColumnBorders layout="fixed" style={{ overflowWrap: 'anywhere' }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('log.field')}</Table.Th>
            <Table.Th>Severa{winner === 'severa' ? ` (${t('log.winner')})` : ''}</Table.Th>
            <Table.Th>Google{winner === 'google' ? ` (${t('log.winner')})` : ''}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {FIELDS.map((key) => (
            <Table.Tr key={key} data-field={key}>
              <Table.Th scope="row">{t(`log.fields.${key}`)}</Table.Th>
              <Table.Td>{show(key, severa[key])}</Table.Td>
              <Table.Td>{show(key, google[key])}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Everything the log knows about one entry: the server's exact words, both ids, both versions. */
function EntryDrawer({ entry, onClose }: { entry: LogEntryDto | null; onClose(): void }) {
  const { t, formatTime } = useI18n();
  const actionText = useActionText();
  const startText = useStartText();
  const words = useWords();
  const { ours, server, from } = entry ? words(entry) : { ours: null, server: null, from: null };
  const quarantinedItem =
    entry?.action === 'quarantined' && entry.user && typeof entry.details?.item === 'string'
      ? { user: entry.user, item: entry.details.item }
      : null;
  const rows: [string, string | null][] = entry
    ? [
        [t('log.time'), formatTime(entry.time)],
        [t('log.user'), entry.user],
        [t('log.direction'), entry.direction ? t(`log.directionShort.${entry.direction}`) : null],
        [t('log.entry'), entry.title],
        [t('log.start'), entry.start ? startText(entry.start) : null],
        [t('log.resultLabel'), t(`log.result.${entry.result}`, { defaultValue: entry.result })],
        [t('log.errorType'), entry.errorType],
        [t('log.severaId'), entry.severaGuid],
        [t('log.googleId'), entry.googleId],
        [t('log.run'), entry.runId],
      ]
    : [];
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={entry ? actionText(entry) : t('log.details')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      data-testid="log-drawer"
    >
      {entry && (
        <Stack gap="md" data-testid="log-detail">
          <Table layout="fixed">
            <Table.Tbody>
              {rows
                .filter(([, value]) => value)
                .map(([label, value]) => (
                  <Table.Tr key={label}>
                    <Table.Th scope="row" w="35%">
                      {label}
                    </Table.Th>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
          {ours && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {t('log.message')}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="log-message">
                {ours}
              </Text>
            </Stack>
          )}
          {server && from && <ServerWords from={from} message={server} />}
          {entry.step && (
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {t('log.step')}
              </Text>
              <StepLinkButton stepId={entry.step} size="compact-sm" />
            </Group>
          )}
          {quarantinedItem && <RetryQuarantined {...quarantinedItem} title={entry.title} />}
          {entry.details && <ConflictVersions details={entry.details} />}
        </Stack>
      )}
    </Drawer>
  );
}

/** The sync log as it happens: filters, search (titles too), details, and a masked export. */
export function LiveLog() {
  const { t } = useI18n();
  const [entries, setEntries] = useState<LogEntryDto[]>([]);
  const [open, setOpen] = useState<LogEntryDto | null>(null);
  const [filters, setFilters] = useState<Filters>({
    user: null,
    direction: null,
    level: null,
    search: '',
  });
  const [search] = useDebouncedValue(filters.search, 200);

  useEffect(() => {
    let live = true;
    // Events that arrive while the first query is under way are merged in by id, once.
    const pending: LogEntryDto[] = [];
    let loaded = false;
    const unsubscribe = api().on('log-entry', (entry) => {
      if (!loaded) pending.push(entry);
      else setEntries((current) => [...current, entry]);
    });
    void api()
      .queryLog({ limit: LOG_LIMIT })
      .then((initial) => {
        if (!live) return;
        const seen = new Set(initial.map((e) => e.id));
        const merged = [...initial, ...pending.filter((e) => !seen.has(e.id))].sort(
          (a, b) => a.id - b.id,
        );
        loaded = true;
        setEntries(merged);
      });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);

  const users = useMemo(
    () => [...new Set(entries.flatMap((e) => (e.user ? [e.user] : [])))].sort(),
    [entries],
  );
  const visible = useMemo(
    () => entries.filter((e) => matches(e, { ...filters, search })),
    [entries, filters, search],
  );

  const exportLog = async () => {
    const { fileName, content, count } = await api().exportLog({
      ...(filters.user && { user: filters.user }),
      ...(filters.direction && { direction: filters.direction as 'toGoogle' | 'toSevera' }),
      ...(filters.level && { level: filters.level as LogEntryDto['level'] }),
      ...(filters.search && { search: filters.search }),
    });
    downloadText(fileName, content);
    notifications.show({
      color: 'teal',
      message: t('log.exported', { count, file: fileName }),
      autoClose: 4000,
      closeButtonProps: { 'aria-label': t('common.close') },
    });
  };

  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>{t('log.title')}</Title>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => void exportLog()}
            data-testid="export-log"
          >
            {t('log.export')}
          </Button>
        </Group>
        <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="sm">
          <Select
            aria-label={t('log.user')}
            placeholder={t('log.allUsers')}
            data={users}
            value={filters.user}
            onChange={(user) => setFilters({ ...filters, user })}
            clearable
            searchable
          />
          <Select
            aria-label={t('log.direction')}
            placeholder={t('log.allDirections')}
            data={[
              { value: 'toGoogle', label: t('log.directionShort.toGoogle') },
              { value: 'toSevera', label: t('log.directionShort.toSevera') },
            ]}
            value={filters.direction}
            onChange={(direction) => setFilters({ ...filters, direction })}
            clearable
          />
          <Select
            aria-label={t('log.level')}
            placeholder={t('log.allLevels')}
            data={LEVELS.map((value) => ({ value, label: t(`log.levels.${value}`) }))}
            value={filters.level}
            onChange={(level) => setFilters({ ...filters, level })}
            clearable
          />
          <TextInput
            aria-label={t('log.search')}
            placeholder={t('log.search')}
            leftSection={<IconSearch size={16} aria-hidden />}
            value={filters.search}
            onChange={(e) => setFilters({ ...filters, search: e.currentTarget.value })}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" role="status" data-testid="log-count">
          {t('log.count', { shown: visible.length, total: entries.length })}
        </Text>
        {visible.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            {t('log.empty')}
          </Text>
        ) : (
          <Virtuoso
            style={{ height: Math.min(LOG_HEIGHT, visible.length * 40 + 2) }}
            data={visible}
            computeItemKey={(_, entry) => entry.id}
            itemContent={(_, entry) => <LogRow entry={entry} onOpen={setOpen} />}
            followOutput="auto"
            // Rows wrap, so their heights are measured, not fixed: render a little past the edges.
            increaseViewportBy={{ top: 200, bottom: 400 }}
            role="log"
            aria-label={t('log.title')}
            data-testid="live-log"
          />
        )}
      </Stack>
      <EntryDrawer entry={open} onClose={() => setOpen(null)} />
    </Card>
  );
}
