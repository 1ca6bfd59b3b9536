import { useEffect, useState } from 'react';
import { Badge, Checkbox, Group, Loader, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ActivityTypeDto, ErrorDto } from '../../../../preload/api';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

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
        if (result.ok) setTypes(result.value.filter((type) => type.isActive));
        else setLoadError(result.error);
      });
    return () => {
      live = false;
    };
  }, []);

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!types) return <Loader size="sm" aria-label={t('common.loading')} />;

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
        <SimpleGrid cols={2} mt="xs" spacing="xs">
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
      <SimpleGrid cols={2}>
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
      <SaveSettingsButton
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
