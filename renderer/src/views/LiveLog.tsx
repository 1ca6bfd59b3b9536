import { useEffect, useMemo, useState } from 'react';
import { Badge, Button, Card, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconSearch } from '@tabler/icons-react';
import { Virtuoso } from 'react-virtuoso';
import type { LogEntryDto } from '../../../preload/api';
import { api, downloadText } from '../api';
import { useI18n } from '../i18n';

/** As many as the log query allows: the list is virtualised, so 100 000 rows stay smooth. */
const LOG_LIMIT = 100_000;
const ROW_HEIGHT = 36;
const LOG_HEIGHT = 420;

const LEVEL_COLOR: Record<LogEntryDto['level'], string> = {
  debug: 'gray',
  info: 'blue',
  warn: 'yellow',
  error: 'red',
};

interface Filters {
  user: string | null;
  direction: string | null;
  level: string | null;
  search: string;
}

function matches(entry: LogEntryDto, { user, direction, level, search }: Filters): boolean {
  if (user && entry.user !== user) return false;
  if (direction && entry.direction !== direction) return false;
  if (level && entry.level !== level) return false;
  if (!search) return true;
  const needle = search.toLowerCase();
  return [entry.message, entry.action, entry.result, entry.user ?? ''].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

function LogRow({ entry }: { entry: LogEntryDto }) {
  const { t, formatTime } = useI18n();
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      h={ROW_HEIGHT}
      px="sm"
      style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}
      data-log-entry={entry.id}
    >
      <Text size="xs" c="dimmed" w={140} style={{ flexShrink: 0 }}>
        {formatTime(entry.time)}
      </Text>
      <Badge
        size="sm"
        w={64}
        color={LEVEL_COLOR[entry.level]}
        variant="light"
        style={{ flexShrink: 0 }}
      >
        {entry.level}
      </Badge>
      <Text size="xs" w={90} style={{ flexShrink: 0 }}>
        {entry.direction ? t(`log.directionShort.${entry.direction}`) : ''}
      </Text>
      <Text size="xs" ff="monospace" w={230} truncate style={{ flexShrink: 0 }}>
        {entry.user ?? ''}
      </Text>
      <Text size="sm" fw={500} w={170} truncate style={{ flexShrink: 0 }}>
        {t(`log.action.${entry.action}`, { defaultValue: entry.action })}
      </Text>
      <Text
        size="sm"
        c={entry.message ? undefined : 'dimmed'}
        truncate
        style={{ flex: 1 }}
        title={entry.message}
      >
        {entry.message || t(`log.result.${entry.result}`, { defaultValue: entry.result })}
      </Text>
    </Group>
  );
}

/** The sync log as it happens: filters, search and a scrubbed, e-mail-masked export. */
export function LiveLog() {
  const { t } = useI18n();
  const [entries, setEntries] = useState<LogEntryDto[]>([]);
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
    const { fileName, content } = await api().exportLog();
    downloadText(fileName, content);
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
          >
            {t('log.export')}
          </Button>
        </Group>
        <Group gap="sm" grow>
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
            data={['debug', 'info', 'warn', 'error']}
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
        </Group>
        <Text size="xs" c="dimmed" role="status" data-testid="log-count">
          {t('log.count', { shown: visible.length, total: entries.length })}
        </Text>
        {visible.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            {t('log.empty')}
          </Text>
        ) : (
          <Virtuoso
            style={{ height: Math.min(LOG_HEIGHT, visible.length * ROW_HEIGHT + 2) }}
            data={visible}
            fixedItemHeight={ROW_HEIGHT}
            computeItemKey={(_, entry) => entry.id}
            itemContent={(_, entry) => <LogRow entry={entry} />}
            followOutput="auto"
            role="log"
            aria-label={t('log.title')}
            data-testid="live-log"
          />
        )}
      </Stack>
    </Card>
  );
}
