// One download: the button that starts (or resumes) it, then a progress bar with rate and time left, pause and cancel.
import CancelIcon from '@mui/icons-material/Cancel';
import DownloadIcon from '@mui/icons-material/Download';
import PauseIcon from '@mui/icons-material/Pause';
import { Alert, Box, Button, IconButton, LinearProgress, Stack, Tooltip, Typography } from '@mui/material';
import { formatBytes, formatDuration } from './format.ts';
import type { DownloadStatus } from './use-downloads.ts';

export interface DownloadActions {
  start: (id: string, nonCommercial: boolean) => void;
  stop: (id: string, keepPartial: boolean) => void;
}

/** A failed download's reason and what to do, where the download's button is. */
export function DownloadFailure({ status }: { status: DownloadStatus | undefined }) {
  if (status?.state !== 'failed' || !status.error) return null;
  return (
    <Alert severity="error" sx={{ py: 0 }}>
      {status.error.userMessage} {status.error.hint ?? ''}
    </Alert>
  );
}

export function DownloadControl({ id, title, sizeBytes, nonCommercial, status, actions }: { id: string; title: string; sizeBytes: number; nonCommercial: boolean; status: DownloadStatus | undefined; actions: DownloadActions }) {
  const isRunning = status?.state === 'started' || status?.state === 'progress';
  if (isRunning) {
    const total = status.totalBytes ?? sizeBytes;
    const received = status.receivedBytes ?? 0;
    const percent = total > 0 ? Math.min(100, (received / total) * 100) : 0;
    const rate = status.bytesPerSecond ?? 0;
    return (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 260 }}>
        <Box sx={{ flex: 1 }}>
          <LinearProgress variant={received > 0 ? 'determinate' : 'indeterminate'} value={percent} aria-label={`Download of ${title}`} />
          <Typography variant="caption" color="text.secondary" aria-live="polite">
            {formatBytes(received)} of {formatBytes(total)}
            {rate > 0 ? ` · ${formatBytes(rate)}/s` : ''}
            {status.etaSeconds != null ? ` · ${formatDuration(status.etaSeconds)} left` : ''}
          </Typography>
        </Box>
        <Tooltip title="Pause: keeps what arrived; Download resumes it">
          <IconButton size="small" aria-label={`Pause download of ${title}`} onClick={() => actions.stop(id, true)}>
            <PauseIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title="Cancel: deletes the partial file">
          <IconButton size="small" aria-label={`Cancel download of ${title}`} onClick={() => actions.stop(id, false)}>
            <CancelIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Stack>
    );
  }
  const verb = status?.state === 'paused' ? 'Resume' : status?.state === 'failed' ? 'Retry' : 'Download';
  return (
    <Stack spacing={0.5} sx={{ alignItems: 'flex-start' }}>
      <Tooltip title={`${verb} ${title} (${formatBytes(sizeBytes)}) into the studio's models folder${nonCommercial ? '; research licence, non-commercial use only' : ''}`}>
        <Button size="small" variant="outlined" sx={{ whiteSpace: 'nowrap', flexShrink: 0 }} startIcon={<DownloadIcon />} aria-label={`${verb} ${title}`} onClick={() => actions.start(id, nonCommercial)}>
          {verb} ({formatBytes(sizeBytes)})
        </Button>
      </Tooltip>
      {status?.state === 'paused' ? <Typography variant="caption" color="text.secondary">Paused at {formatBytes(status.receivedBytes ?? 0)}</Typography> : null}
      <DownloadFailure status={status} />
    </Stack>
  );
}

