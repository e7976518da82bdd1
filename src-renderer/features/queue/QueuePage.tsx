// The Queue page: the running job with progress, live preview, it/s and ETA; queued jobs in run order (move,
// cancel); recent jobs (retry the failed, cancelled or interrupted ones).
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import CancelIcon from '@mui/icons-material/Cancel';
import ReplayIcon from '@mui/icons-material/Replay';
import { Box, Chip, IconButton, LinearProgress, List, ListItem, Paper, Stack, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import type { Job } from '../../../src-preload/contract/jobs.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { withShortcut } from '../../common/shortcuts.ts';
import { jobActivity } from './job-activity.ts';
import { jobProgress, useQueue } from './queue-context.tsx';

function describe(job: Job): string {
  const prompt = job.params.prompt.trim() === '' ? '(no prompt)' : job.params.prompt;
  return prompt.length > 90 ? `${prompt.slice(0, 90)}…` : prompt;
}

function settings(job: Job): string {
  const p = job.params;
  return `${p.width}×${p.height} · ${p.steps} steps · ${p.sampler} · CFG ${p.cfg} · seed ${p.seed}${p.faceid === undefined ? '' : ` · face ${p.faceid.faceWeight}`}`;
}

export function QueuePage() {
  const studio = useStudio();
  const queue = useQueue();
  const [failure, setFailure] = useState<Failure | undefined>();
  const act = async (call: Promise<{ ok: true } | { ok: false; error: Failure }>) => {
    const result = await call;
    if (!result.ok) setFailure(result.error);
    queue.reload();
  };
  const move = (job: Job, delta: -1 | 1) => {
    const index = queue.queued.findIndex((j) => j.id === job.id);
    // Moving down by one = moving before the job two places down (or to the end).
    const before = delta === -1 ? queue.queued[index - 1] : queue.queued[index + 2];
    void act(studio.queue.move({ id: job.id, ...(before === undefined ? {} : { beforeId: before.id }) }));
  };
  const retry = (job: Job) => void act(studio.jobs.enqueue({ params: job.params, ...(job.characterId === null ? {} : { characterId: job.characterId }), ...(job.parentId === null ? {} : { parentId: job.parentId }) }));

  return (
    <section aria-labelledby="queue-heading">
      <Typography id="queue-heading" variant="h4" component="h2" sx={{ mb: 2 }}>
        Queue
      </Typography>
      {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
      {queue.failure === undefined ? null : <ErrorNotice failure={queue.failure} />}

      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Running
      </Typography>
      {queue.running.length === 0 ? (
        <Typography color="text.secondary" sx={{ mb: 3 }}>
          Nothing is running. {queue.queued.length > 0 ? 'Queued jobs start when the engine is ready.' : 'Queue images on the Generate page.'}
        </Typography>
      ) : null}
      {queue.running.map((job) => {
        const progress = jobProgress(job, queue.progress);
        const preview = queue.previews.get(job.id);
        const percent = progress.totalSteps === 0 ? 0 : (100 * progress.step) / progress.totalSteps;
        return (
          <Paper key={job.id} variant="outlined" sx={{ p: 2, mb: 3 }} aria-label={`Running job: ${describe(job)}`}>
            <Stack direction="row" spacing={2}>
              <Box sx={{ width: 160, height: 160, flex: 'none', bgcolor: 'action.hover', borderRadius: 1, overflow: 'hidden', display: 'grid', placeItems: 'center' }}>
                {preview === undefined ? (
                  <Typography variant="caption" color="text.secondary">
                    Preview appears here
                  </Typography>
                ) : (
                  <Box component="img" src={studio.mediaUrl(preview)} alt="Live preview" sx={{ width: '100%', height: '100%', objectFit: 'contain', imageRendering: 'pixelated' }} />
                )}
              </Box>
              <Stack spacing={1} sx={{ flex: 1, minWidth: 0 }}>
                <Typography noWrap>{describe(job)}</Typography>
                <Typography variant="body2" color="text.secondary">
                  {settings(job)}
                </Typography>
                <LinearProgress variant={progress.step === 0 || queue.stages.has(job.id) ? 'indeterminate' : 'determinate'} value={percent} aria-label="Job progress" />
                <Typography variant="body2" aria-label="Progress details">
                  {jobActivity(progress, queue.stages.get(job.id))}
                </Typography>
              </Stack>
              <Tooltip title={withShortcut('Cancel this job; it stops within one step', 'cancel')}>
                <IconButton aria-label="Cancel running job" onClick={() => void act(studio.jobs.cancel({ id: job.id }))} sx={{ alignSelf: 'flex-start' }}>
                  <CancelIcon />
                </IconButton>
              </Tooltip>
            </Stack>
          </Paper>
        );
      })}

      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Waiting ({queue.queued.length})
      </Typography>
      <Paper variant="outlined" sx={{ mb: 3 }}>
        <List aria-label="Queued jobs" dense>
          {queue.queued.length === 0 ? (
            <ListItem>
              <Typography color="text.secondary">No jobs waiting.</Typography>
            </ListItem>
          ) : null}
          {queue.queued.map((job, index) => (
            <ListItem key={job.id} divider aria-label={`Queued job ${index + 1}: ${describe(job)}`}
              secondaryAction={
                <Stack direction="row">
                  <Tooltip title="Run earlier">
                    <span>
                      <IconButton aria-label={`Move job ${index + 1} up`} disabled={index === 0} onClick={() => move(job, -1)}>
                        <ArrowUpwardIcon />
                      </IconButton>
                    </span>
                  </Tooltip>
                  <Tooltip title="Run later">
                    <span>
                      <IconButton aria-label={`Move job ${index + 1} down`} disabled={index === queue.queued.length - 1} onClick={() => move(job, 1)}>
                        <ArrowDownwardIcon />
                      </IconButton>
                    </span>
                  </Tooltip>
                  <Tooltip title="Remove from the queue">
                    <IconButton aria-label={`Cancel job ${index + 1}`} onClick={() => void act(studio.jobs.cancel({ id: job.id }))}>
                      <CancelIcon />
                    </IconButton>
                  </Tooltip>
                </Stack>
              }
            >
              <Stack sx={{ minWidth: 0, pr: 16 }}>
                <Typography noWrap>
                  {index + 1}. {describe(job)}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {settings(job)}
                </Typography>
              </Stack>
            </ListItem>
          ))}
        </List>
      </Paper>

      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Recent
      </Typography>
      <Paper variant="outlined">
        <List aria-label="Recent jobs" dense>
          {queue.recent.length === 0 ? (
            <ListItem>
              <Typography color="text.secondary">No finished jobs yet.</Typography>
            </ListItem>
          ) : null}
          {queue.recent.map((job) => (
            <ListItem key={job.id} divider
              secondaryAction={
                job.state === 'done' ? null : (
                  <Tooltip title="Queue this job again with the same settings">
                    <IconButton aria-label={`Retry ${describe(job)}`} onClick={() => retry(job)}>
                      <ReplayIcon />
                    </IconButton>
                  </Tooltip>
                )
              }
            >
              <Stack sx={{ minWidth: 0, pr: 6 }}>
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
                  <Chip size="small" label={job.state} color={job.state === 'done' ? 'success' : job.state === 'failed' ? 'error' : 'default'} />
                  <Typography noWrap>{describe(job)}</Typography>
                </Stack>
                {job.error === null ? null : (
                  <Typography variant="caption" color="error.main">
                    {job.error.userMessage} {job.error.hint ?? ''}
                  </Typography>
                )}
                {/* What the passes decided: a face pass skipped or undone, best-of-N's choice. */}
                {job.notes.map((note) => (
                  <Typography key={note} variant="caption" color="text.secondary">
                    {note}
                  </Typography>
                ))}
              </Stack>
            </ListItem>
          ))}
        </List>
      </Paper>
    </section>
  );
}
