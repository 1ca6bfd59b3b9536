import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  FileInput,
  Group,
  List,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconFileCertificate, IconKey } from '@tabler/icons-react';
import type { Localized } from '../../../../preload/api';
import { api, fileToBase64 } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useSaver } from '../../components/useSaver';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { useStepDone } from './flow';

/** A JSON key names its own service account: read only that field, to fill the form. */
async function clientEmailOf(file: File): Promise<string | null> {
  try {
    const parsed = JSON.parse(await file.text()) as { client_email?: unknown };
    return typeof parsed.client_email === 'string' ? parsed.client_email : null;
  } catch {
    return null; // the import says what is wrong with the file
  }
}

/** Google's P12 keys all share this password; the field starts with it (design D2). */
const GOOGLE_P12_PASSWORD = 'notasecret';

/** Imports the service account's key (P12 or JSON) into the keychain; shows only facts about it. */
export function KeyImportPanel() {
  const { state } = useApp();
  const { t, pick } = useI18n();
  const next = useStepDone();
  const { save, saving, error, clearError } = useSaver();
  const [fromKey, setFromKey] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState(GOOGLE_P12_PASSWORD);
  const [email, setEmail] = useState(state.google.serviceAccountEmail ?? '');
  const [warnings, setWarnings] = useState<Localized[]>([]);
  const isJson = file?.name.toLowerCase().endsWith('.json') ?? false;

  const submit = async () => {
    if (!file) return;
    const base64 = await fileToBase64(file);
    const imported = await save(
      () =>
        api().importGoogleKey({
          fileName: file.name,
          base64,
          password: isJson ? undefined : password,
          serviceAccountEmail: email.trim() || undefined,
        }),
      (value) => value.state,
    );
    if (imported) {
      setWarnings(imported.warnings);
      setFile(null);
      setEmail(imported.state.google.serviceAccountEmail ?? email);
      if (imported.warnings.length === 0) next();
    }
  };

  const choose = async (chosen: File | null) => {
    setFile(chosen);
    const keyEmail = chosen?.name.toLowerCase().endsWith('.json')
      ? await clientEmailOf(chosen)
      : null;
    setFromKey(keyEmail !== null);
    if (keyEmail) setEmail(keyEmail);
  };

  return (
    <Stack gap="sm">
      {state.google.keyStored && (
        <Group gap="xs" data-testid="key-stored">
          <Badge color="teal" leftSection={<IconKey size={12} aria-hidden />}>
            {t('key.stored', { kind: (state.google.keyKind ?? '').toUpperCase() })}
          </Badge>
          <Text size="sm" c="dimmed" ff="monospace">
            {state.google.keyFingerprint}
          </Text>
        </Group>
      )}
      <FileInput
        label={t('key.file')}
        description={t('key.fileHint')}
        placeholder={t('key.choose')}
        accept=".p12,.json,application/x-pkcs12,application/json"
        value={file}
        onChange={(chosen) => void choose(chosen)}
        leftSection={<IconFileCertificate size={16} aria-hidden />}
        clearable
        clearButtonProps={{ 'aria-label': t('common.clear') }}
      />
      {!isJson && (
        <PasswordInput
          label={t('key.password')}
          description={t('key.passwordHint')}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
      )}
      <TextInput
        label={t('google.serviceAccountEmail')}
        description={fromKey ? t('key.fromJson') : undefined}
        placeholder="severa-sync@project.iam.gserviceaccount.com"
        value={email}
        readOnly={fromKey}
        onChange={(e) => setEmail(e.currentTarget.value)}
        data-field="serviceAccountEmail"
      />
      {error && <ErrorAlert error={error} onClose={clearError} />}
      {warnings.length > 0 && (
        <Alert color="yellow" title={t('key.warnings')}>
          <List size="sm">
            {warnings.map((w) => (
              <List.Item key={w.en}>{pick(w)}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group>
        <Button onClick={() => void submit()} disabled={!file} loading={saving}>
          {t('key.import')}
        </Button>
      </Group>
    </Stack>
  );
}
