// The offline self-test: tiny models made on the spot run through install checks and the whole FaceID pipeline.
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import RemoveCircleOutlineIcon from '@mui/icons-material/RemoveCircleOutlineOutlined';
import { Alert, Button, CircularProgress, List, ListItem, ListItemIcon, ListItemText, Stack, Tooltip } from '@mui/material';
import { useState } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import type { SelftestReport } from '../../../src-preload/contract/models.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';

const STEP_ICONS = {
  passed: <CheckCircleIcon color="success" fontSize="small" titleAccess="Passed" />,
  failed: <ErrorIcon color="error" fontSize="small" titleAccess="Failed" />,
  'not-run': <RemoveCircleOutlineIcon color="disabled" fontSize="small" titleAccess="Not run" />,
} as const;

export function SelftestPanel() {
  const studio = useStudio();
  const [isRunning, setRunning] = useState(false);
  const [report, setReport] = useState<SelftestReport | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();

  const run = async () => {
    setRunning(true);
    setFailure(undefined);
    const result = await studio.models.selftest({});
    setRunning(false);
    if (result.ok) setReport(result.value);
    else setFailure(result.error);
  };

  return (
    <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
      <Tooltip title="Makes tiny models here (no download) and runs the install checks and a whole FaceID generation with them">
        <span>
          <Button variant="contained" onClick={() => void run()} disabled={isRunning} startIcon={isRunning ? <CircularProgress size={16} color="inherit" /> : undefined}>
            {isRunning ? 'Running self-test…' : 'Run self-test'}
          </Button>
        </span>
      </Tooltip>
      {failure === undefined ? null : <ErrorNotice failure={failure} />}
      {report === undefined ? null : (
        <>
          <Alert severity={report.passed ? 'success' : 'error'} aria-label="Self-test result">
            {report.passed ? 'Self-test passed' : 'Self-test failed'} in {(report.durationMs / 1000).toFixed(1)} s
            {report.complete ? '' : ' (stopped before every step ran)'}
          </Alert>
          <List dense aria-label="Self-test steps">
            {report.steps.map((step) => (
              <ListItem key={step.name} disableGutters>
                <ListItemIcon sx={{ minWidth: 32 }}>{STEP_ICONS[step.status]}</ListItemIcon>
                <ListItemText primary={`${step.name} — ${step.status} (${Math.round(step.durationMs)} ms)`} secondary={step.detail} />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </Stack>
  );
}
