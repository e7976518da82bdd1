// The app bar's compact queue status, visible from every page: the running job's progress and how many wait.
// Esc cancels the running job from anywhere (unless a dialog or a text box has the keyboard).
import { useEffect } from 'react';
import { Box, Button, CircularProgress, Tooltip, Typography } from '@mui/material';
import { navigate } from '../../app/navigation.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { isDialogOpen, isTypingTarget, useKeydown, withShortcut } from '../../common/shortcuts.ts';
import { jobActivity } from './job-activity.ts';
import { jobProgress, useQueue } from './queue-context.tsx';

export function QueueIndicator() {
  const studio = useStudio();
  const queue = useQueue();
  const running = queue.running[0];
  const progress = running === undefined ? undefined : jobProgress(running, queue.progress);
  const percent = progress === undefined || progress.totalSteps === 0 ? 0 : (100 * progress.step) / progress.totalSteps;

  useKeydown((event) => {
    if (event.key !== 'Escape' || running === undefined || isDialogOpen() || isTypingTarget(event.target)) return;
    void studio.jobs.cancel({ id: running.id });
  });

  // The desktop app's menu item "Cancel job" arrives as an app command.
  const runningId = running?.id;
  useEffect(() => studio.on('app.command', ({ command }) => command === 'job.cancel' && runningId !== undefined && void studio.jobs.cancel({ id: runningId })), [studio, runningId]);

  const label = running === undefined ? (queue.queued.length === 0 ? 'Queue idle' : `${queue.queued.length} queued`) : `Generating ${Math.round(percent)}%`;
  return (
    <Tooltip title={running === undefined ? 'Open the queue' : withShortcut(`${jobActivity(progress!, queue.stages.get(running.id))} · Open the queue; Esc cancels`, 'cancel')}>
      <Button color="inherit" onClick={() => navigate('queue')} aria-label={`Queue status: ${label}${running !== undefined && queue.queued.length > 0 ? `, ${queue.queued.length} queued` : ''}`} sx={{ ml: 'auto', gap: 1, textTransform: 'none', whiteSpace: 'nowrap' }}>
        <Box sx={{ position: 'relative', display: 'inline-flex' }}>
          <CircularProgress size={22} variant={running === undefined ? 'determinate' : progress?.step === 0 ? 'indeterminate' : 'determinate'} value={running === undefined ? 0 : percent} />
        </Box>
        <Typography variant="body2">
          {label}
          {running !== undefined && queue.queued.length > 0 ? ` · ${queue.queued.length} queued` : ''}
        </Typography>
      </Button>
    </Tooltip>
  );
}
