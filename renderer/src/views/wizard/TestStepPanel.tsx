import { Alert, Button, Stack } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { runTest, useDiagnostics } from '../../diagnostics';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { useStepDone } from './flow';
import { CheckRow } from '../TestView';

/** The Test inside the flow: results where the admin is, and on to the finish when green. */
export function TestStepPanel() {
  const { reloadChecklist } = useApp();
  const { t } = useI18n();
  const done = useStepDone();
  const { running, results, report } = useDiagnostics();
  const failing = results.filter((r) => r && (r.status === 'fail' || r.status === 'warn'));
  return (
    <Stack gap="sm">
      <Button
        w="fit-content"
        leftSection={<IconFlask size={18} aria-hidden />}
        loading={running}
        onClick={() => void runTest(reloadChecklist)}
        data-testid="run-test-step"
      >
        {report ? t('test.runAgain') : t('test.run')}
      </Button>
      {report && (
        <Alert
          color={report.ok ? 'teal' : 'red'}
          variant="light"
          role="status"
          title={
            report.ok
              ? t('test.allGood')
              : t('test.failed', { count: results.filter((r) => r?.status === 'fail').length })
          }
          data-testid="test-step-summary"
          data-ok={report.ok}
        />
      )}
      {failing.map((result) => result && <CheckRow key={result.id} result={result} />)}
      {report?.ok && (
        <Button w="fit-content" onClick={done} data-testid="to-finish">
          {t('wizard.next')}
        </Button>
      )}
    </Stack>
  );
}
