import { useEffect, useState } from 'react';
import {
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import type { ActivityTypeDto, ErrorDto } from '../../../../preload/api';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

/** The suggestion: every active type but project tasks; the first calendar entry and Personal types. */
function suggested(types: ActivityTypeDto[]) {
  return {
    selected: types.filter((t) => t.category !== 'Task').map((t) => t.guid),
    defaultType: types.find((t) => t.category === 'CalendarEntry')?.guid ?? null,
    personalType: types.find((t) => t.category === 'Personal')?.guid ?? null,
  };
}

/**
 * Which Severa types go to Google, and which types Google's entries get in Severa: the default
 * one, and a Personal-category one for private entries.
 */
export function ActivityTypesPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [types, setTypes] = useState<ActivityTypeDto[] | null>(null);
  const [loadError, setLoadError] = useState<ErrorDto | null>(null);
  const [selected, setSelected] = useState(state.severa.activityTypeGuids);
  const [defaultType, setDefaultType] = useState(state.severa.defaultActivityTypeGuid);
  const [personalType, setPersonalType] = useState(state.severa.personalActivityTypeGuid);

  useEffect(() => {
    let live = true;
    void api()
      .listActivityTypes()
      .then((result) => {
        if (!live) return;
        if (!result.ok) return setLoadError(result.error);
        const active = result.value.filter((type) => type.isActive);
        setTypes(active);
        // A first visit starts from the suggestion; a saved choice is kept.
        if (state.severa.activityTypeGuids.length === 0) {
          const s = suggested(active);
          setSelected(s.selected);
          setDefaultType((current) => current ?? s.defaultType);
          setPersonalType((current) => current ?? s.personalType);
        }
      });
    return () => {
      live = false;
    };
    // Loaded once: later state changes must not overwrite what the admin is choosing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!types) return <Loader size="sm" role="status" aria-label={t('common.loading')} />;

  const options = (filter: (type: ActivityTypeDto) => boolean) =>
    types.filter(filter).map((type) => ({ value: type.guid, label: type.name }));

  return (
    <Stack gap="md">
      <Checkbox.Group
        label={t('types.toGoogle')}
        description={t('types.toGoogleHint')}
        value={selected}
        onChange={setSelected}
      >
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
          {types.map((type) => (
            <Checkbox
              key={type.guid}
              value={type.guid}
              label={
                <Group gap={6} wrap="nowrap">
                  <Text size="sm">{type.name}</Text>
                  <Badge size="xs" variant="light" color="gray">
                    {t(`types.category.${type.category}`)}
                  </Badge>
                </Group>
              }
            />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label={t('types.default')}
          description={t('types.defaultHint')}
          data={options((type) => type.category !== 'Personal' && type.category !== 'Absences')}
          value={defaultType}
          onChange={setDefaultType}
        />
        <Select
          label={t('types.personal')}
          description={t('types.personalHint')}
          data={options((type) => type.category === 'Personal')}
          value={personalType}
          onChange={setPersonalType}
        />
      </SimpleGrid>
      <Button
        variant="subtle"
        w="fit-content"
        onClick={() => {
          const s = suggested(types);
          setSelected(s.selected);
          setDefaultType(s.defaultType);
          setPersonalType(s.personalType);
        }}
      >
        {t('types.suggest')}
      </Button>
      <SaveSettingsButton
        continueAfter
        patch={() => ({
          severa: {
            activityTypeGuids: selected,
            defaultActivityTypeGuid: defaultType,
            personalActivityTypeGuid: personalType,
          },
        })}
      />
    </Stack>
  );
}
