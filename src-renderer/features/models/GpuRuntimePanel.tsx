// The NVIDIA GPU runtime as an optional download: its state (cannot be used here, missing, installed), a button that
// starts it, then the usual progress with pause and cancel (its `models.download` events).
import DownloadIcon from '@mui/icons-material/Download';
import { Button, Stack, Typography } from '@mui/material';
import { useCallback } from 'react';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { useLoad } from '../../common/use-load.ts';
import { DownloadControl, DownloadFailure, type DownloadActions } from './DownloadControl.tsx';
import { useDownloads } from './use-downloads.ts';

export function GpuRuntimePanel() {
  const studio = useStudio();
  const runtime = useLoad((s) => s.models.gpuRuntime({}));
  const reload = runtime.reload;
  const downloads = useDownloads(useCallback(() => reload(), [reload]));
  if (runtime.failure !== undefined) return <ErrorNotice failure={runtime.failure} />;
  if (runtime.value === undefined) return null;
  const { id, title, state, detail } = runtime.value;
  const status = downloads.get(id);
  const actions: DownloadActions = {
    start: () => void studio.models.installGpuRuntime({}),
    stop: (stopId, keepPartial) => void studio.models.stopDownload({ id: stopId, keepPartial }),
  };
  const isRunning = status?.state === 'started' || status?.state === 'progress';
  return (
    <Stack spacing={1} aria-label={title}>
      <Typography variant="subtitle2">{title}</Typography>
      <Typography variant="body2" color="text.secondary">
        {state === 'installed' ? 'Installed. ' : ''}
        {detail}
      </Typography>
      {isRunning ? <DownloadControl id={id} title={title} sizeBytes={0} nonCommercial={false} status={status} actions={actions} /> : null}
      {!isRunning && state === 'missing' ? (
        <Button size="small" variant="outlined" sx={{ alignSelf: 'flex-start' }} startIcon={<DownloadIcon />} onClick={() => actions.start(id, false)}>
          {status?.state === 'paused' ? 'Resume' : 'Download'} {title}
        </Button>
      ) : null}
      <DownloadFailure status={status} />
    </Stack>
  );
}
