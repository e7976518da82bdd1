// Best-of-N in the batch controls: each queued job makes N pictures (seed, seed + 1, …) and keeps the K that look
// most like the character, ranked in the gallery; the others are discarded or kept marked as rejected.
import { FormControlLabel, Stack, Switch, Tooltip } from '@mui/material';
import { NumberSlider } from '../../../common/NumberSlider.tsx';
import type { GenerateForm } from '../generate-form.ts';

type BestOfFields = Pick<GenerateForm, 'bestOf' | 'bestOfCount' | 'bestOfKeep' | 'keepRejected'>;

export function BestOfControl({ form, usesFace, onChange }: { form: BestOfFields; usesFace: boolean; onChange: (change: Partial<GenerateForm>) => void }) {
  const on = form.bestOf && usesFace;
  return (
    <Stack spacing={1}>
      <Tooltip title={usesFace ? 'Make several pictures per job and keep the ones most like the character (identity score).' : 'Needs a character: pictures are ranked by how much they look like it.'} placement="top-start" describeChild>
        <FormControlLabel control={<Switch checked={form.bestOf} disabled={!usesFace} onChange={(e) => onChange({ bestOf: e.target.checked })} />} label="Best of N by likeness" />
      </Tooltip>
      {on ? (
        <>
          <NumberSlider label="Make (N)" help="Pictures made per job, each with the next seed." value={form.bestOfCount} min={2} max={16} step={1} onChange={(bestOfCount) => onChange({ bestOfCount, bestOfKeep: Math.min(form.bestOfKeep, bestOfCount) })} />
          <NumberSlider label="Keep (K)" help="The pictures kept: the ones most like the character." value={Math.min(form.bestOfKeep, form.bestOfCount)} min={1} max={form.bestOfCount} step={1} onChange={(bestOfKeep) => onChange({ bestOfKeep })} />
          <FormControlLabel control={<Switch checked={form.keepRejected} onChange={(e) => onChange({ keepRejected: e.target.checked })} />} label="Keep the others too (marked as rejected)" />
        </>
      ) : null}
    </Stack>
  );
}
