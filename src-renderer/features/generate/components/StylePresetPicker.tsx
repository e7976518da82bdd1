// Style presets: pick one (it wraps the prompt and suggests face/structure weights), edit it, save your own.
import EditIcon from '@mui/icons-material/Edit';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, MenuItem, Stack, TextField, Tooltip } from '@mui/material';
import { useState } from 'react';
import type { Failure } from '../../../../src-preload/contract/index.ts';
import type { StylePreset } from '../../../../src-preload/contract/presets.ts';
import { useStudio } from '../../../client/studio-context.tsx';
import { ErrorNotice } from '../../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../../common/NumberSlider.tsx';

export function StylePresetPicker({ presets, value, onChange, onSaved }: { presets: StylePreset[]; value: string; onChange: (preset: StylePreset) => void; onSaved: (preset: StylePreset) => void }) {
  const [editing, setEditing] = useState<StylePreset | undefined>();
  const current = presets.find((preset) => preset.id === value);
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Tooltip title="A style wraps your prompt in a template, adds its negative prompt and suggests face and structure weights." placement="top-start" describeChild>
        <TextField select label="Style preset" value={current === undefined ? '' : value} onChange={(event) => {
          const preset = presets.find((p) => p.id === event.target.value);
          if (preset !== undefined) onChange(preset);
        }} fullWidth size="small">
          {presets.map((preset) => (
            <MenuItem key={preset.id} value={preset.id}>
              {preset.name}
              {preset.builtin ? '' : ' (yours)'}
            </MenuItem>
          ))}
        </TextField>
      </Tooltip>
      <Tooltip title="Edit this style, or save your own version of it">
        <span>
          <IconButton aria-label="Edit style preset" disabled={current === undefined} onClick={() => setEditing(current)}>
            <EditIcon />
          </IconButton>
        </span>
      </Tooltip>
      {editing === undefined ? null : <PresetDialog preset={editing} onClose={() => setEditing(undefined)} onSaved={(preset) => { setEditing(undefined); onSaved(preset); }} />}
    </Stack>
  );
}

function PresetDialog({ preset, onClose, onSaved }: { preset: StylePreset; onClose: () => void; onSaved: (preset: StylePreset) => void }) {
  const studio = useStudio();
  const [draft, setDraft] = useState({ ...preset, name: preset.builtin ? `${preset.name} (mine)` : preset.name });
  const [failure, setFailure] = useState<Failure | undefined>();
  const save = async (asNew: boolean) => {
    const { name, template, negative, faceWeight, structure } = draft;
    const result = await studio.presets.save({ name, template, negative, faceWeight, structure, ...(asNew || preset.builtin ? {} : { id: preset.id }) });
    if (result.ok) onSaved(result.value);
    else setFailure(result.error);
  };
  const remove = async () => {
    const result = await studio.presets.delete({ id: preset.id });
    if (result.ok) onSaved({ ...preset, id: 'builtin:none' });
    else setFailure(result.error);
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="preset-dialog-title">
      <DialogTitle id="preset-dialog-title">{preset.builtin ? `Save your version of "${preset.name}"` : `Edit "${preset.name}"`}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {failure === undefined ? null : <ErrorNotice failure={failure} />}
          <TextField label="Preset name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          <TextField label="Prompt template" helperText="{prompt} is replaced by what you type in Prompt." value={draft.template} onChange={(e) => setDraft({ ...draft, template: e.target.value })} multiline minRows={2} />
          <TextField label="Preset negative prompt" value={draft.negative} onChange={(e) => setDraft({ ...draft, negative: e.target.value })} multiline minRows={2} />
          <NumberSlider label="Suggested face weight" help="Face weight this style sets when chosen." value={draft.faceWeight} min={0} max={1.5} step={0.05} onChange={(faceWeight) => setDraft({ ...draft, faceWeight })} />
          <NumberSlider label="Suggested structure" help="Structure (Plus v2) this style sets when chosen." value={draft.structure} min={0} max={3} step={0.1} onChange={(structure) => setDraft({ ...draft, structure })} />
        </Stack>
      </DialogContent>
      <DialogActions>
        {preset.builtin ? null : <Button color="error" onClick={() => void remove()}>Delete preset</Button>}
        <Button onClick={onClose}>Cancel</Button>
        {preset.builtin ? null : <Button onClick={() => void save(true)}>Save as new</Button>}
        <Button variant="contained" onClick={() => void save(false)}>
          {preset.builtin ? 'Save as my preset' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
