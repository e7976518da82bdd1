// Control units (collapsed by default): each a ControlNet or T2I-Adapter from the model folders, a control picture
// (chosen or dropped, kept in the library), its preprocessor with a preview of the map the model will see, its weight
// and the part of the steps it acts in. Only models of the checkpoint's base are offered.
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import ImageIcon from '@mui/icons-material/Image';
import { Accordion, AccordionDetails, AccordionSummary, Box, Button, IconButton, MenuItem, Paper, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { Failure } from '../../../../src-preload/contract/index.ts';
import type { Reference } from '../../../../src-preload/contract/characters.ts';
import type { Model, ModelBase } from '../../../../src-preload/contract/models.ts';
import { useStudio } from '../../../client/studio-context.tsx';
import { ErrorNotice } from '../../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../../common/NumberSlider.tsx';
import { fileToBase64 } from '../../../common/read-file.ts';
import { controlKindOf, NEW_CONTROL_UNIT, type ControlUnitForm, type GenerateForm } from '../generate-form.ts';

const PREPROCESSOR_LABELS = {
  canny: 'Canny edges',
  openpose: 'OpenPose (body)',
  openpose_hand: 'OpenPose + hands',
  openpose_face: 'OpenPose + face',
  openpose_full: 'OpenPose full (body, hands, face)',
  depth: 'Depth (Depth Anything V2)',
  none: 'None (a ready control map)',
} as const;

interface UnitProps {
  readonly index: number;
  readonly unit: ControlUnitForm;
  readonly controlModels: readonly Model[];
  /** The chosen character's reference photos: any can be the unit's picture (a pose to copy). */
  readonly references: readonly Reference[];
  readonly size: { width: number; height: number };
  readonly onChange: (unit: ControlUnitForm) => void;
  readonly onRemove: () => void;
}

function ControlUnitEditor({ index, unit, controlModels, references, size, onChange, onRemove }: UnitProps) {
  const studio = useStudio();
  const input = useRef<HTMLInputElement>(null);
  const [failure, setFailure] = useState<Failure | undefined>();
  const [map, setMap] = useState<string | undefined>();
  const label = `Control unit ${index + 1}`;

  // What the ControlNet will see, made again when the picture, preprocessor or size changes.
  useEffect(() => {
    if (unit.image === '') return setMap(undefined);
    let current = true;
    void studio.control.preview({ image: unit.image, preprocess: unit.preprocess, width: size.width, height: size.height }).then((result) => {
      if (!current) return;
      if (result.ok) setMap(result.value.map);
      else setFailure(result.error);
    });
    return () => {
      current = false;
    };
  }, [studio, unit.image, unit.preprocess, size.width, size.height]);

  const useFile = async (file: File | undefined) => {
    if (file === undefined) return;
    const saved = await studio.control.saveImage({ fileName: file.name, dataBase64: await fileToBase64(file) });
    if (saved.ok) {
      setFailure(undefined);
      onChange({ ...unit, image: saved.value.image });
    } else setFailure(saved.error);
  };
  const onDrop = (event: DragEvent) => {
    // The page's own drop loads A1111 parameters; a picture dropped here is this unit's control picture.
    event.preventDefault();
    event.stopPropagation();
    void useFile(event.dataTransfer.files[0]);
  };

  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} role="group" aria-label={label} onDragOver={(e) => { e.preventDefault(); e.stopPropagation(); }} onDrop={onDrop}>
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <TextField select size="small" label="Control model" value={unit.model} onChange={(e) => onChange({ ...unit, model: e.target.value, kind: controlKindOf(controlModels.find((m) => m.path === e.target.value)) })} sx={{ flex: 1 }}>
            {controlModels.length === 0 ? <MenuItem value="" disabled>No control model for this checkpoint in your model folders</MenuItem> : null}
            {controlModels.map((m) => (
              <MenuItem key={m.path} value={m.path}>
                {m.name}
                {m.kind === 't2i-adapter' ? ' (T2I-Adapter)' : ''}
              </MenuItem>
            ))}
          </TextField>
          <Tooltip title="Remove this unit">
            <IconButton aria-label={`Remove ${label.toLowerCase()}`} onClick={onRemove}>
              <DeleteIcon />
            </IconButton>
          </Tooltip>
        </Stack>
        <Stack direction="row" spacing={1.5} sx={{ alignItems: 'flex-start' }}>
          <Box sx={{ width: 96, height: 96, flex: 'none', bgcolor: 'action.hover', borderRadius: 1, overflow: 'hidden', display: 'grid', placeItems: 'center' }}>
            {unit.image === '' ? <Typography variant="caption" color="text.secondary" sx={{ p: 1, textAlign: 'center' }}>Drop a picture here</Typography> : <Box component="img" src={studio.mediaUrl(unit.image)} alt={`${label} picture`} sx={{ width: '100%', height: '100%', objectFit: 'cover' }} />}
          </Box>
          <Box sx={{ width: 96, height: 96, flex: 'none', bgcolor: 'action.hover', borderRadius: 1, overflow: 'hidden', display: 'grid', placeItems: 'center' }}>
            {map === undefined ? <Typography variant="caption" color="text.secondary" sx={{ p: 1, textAlign: 'center' }}>What the ControlNet sees</Typography> : <Box component="img" src={studio.mediaUrl(map)} alt={`${label} control map`} sx={{ width: '100%', height: '100%', objectFit: 'cover' }} />}
          </Box>
          <Stack spacing={1} sx={{ flex: 1, minWidth: 0 }}>
            <Button size="small" variant="outlined" startIcon={<ImageIcon />} onClick={() => input.current?.click()} sx={{ alignSelf: 'flex-start' }}>
              {unit.image === '' ? 'Choose picture' : 'Change picture'}
            </Button>
            <input ref={input} type="file" accept="image/*" hidden aria-label={`${label} picture file`} onChange={(e) => { const file = e.target.files?.[0]; e.target.value = ''; void useFile(file); }} />
            {references.length === 0 ? null : (
              <TextField select size="small" label="Or a reference photo" value={references.some((r) => r.original === unit.image) ? unit.image : ''} onChange={(e) => onChange({ ...unit, image: e.target.value })}>
                {references.map((r) => (
                  <MenuItem key={r.id} value={r.original}>
                    {r.fileName}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <TextField select size="small" label="Preprocessor" value={unit.preprocess} onChange={(e) => onChange({ ...unit, preprocess: e.target.value as ControlUnitForm['preprocess'] })}>
              {Object.entries(PREPROCESSOR_LABELS).map(([value, text]) => (
                <MenuItem key={value} value={value}>
                  {text}
                </MenuItem>
              ))}
            </TextField>
          </Stack>
        </Stack>
        {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
        <NumberSlider label={`${label} weight`} help="How strongly the control map steers the picture (the ControlNet's conditioning scale)." value={unit.weight} min={0} max={2} step={0.05} onChange={(weight) => onChange({ ...unit, weight })} />
        <NumberSlider label={`${label} start`} help="The fraction of the steps before the unit starts acting." value={unit.start} min={0} max={0.95} step={0.05} onChange={(start) => onChange({ ...unit, start: Math.min(start, unit.end - 0.05) })} />
        <NumberSlider label={`${label} end`} help="The fraction of the steps after which the unit stops: ending early keeps the composition and frees the details." value={unit.end} min={0.05} max={1} step={0.05} onChange={(end) => onChange({ ...unit, end: Math.max(end, unit.start + 0.05) })} />
      </Stack>
    </Paper>
  );
}

export function ControlSection({ form, base, controlModels, references, onChange }: { form: Pick<GenerateForm, 'controlUnits' | 'width' | 'height'>; base: ModelBase; controlModels: readonly Model[]; references: readonly Reference[]; onChange: (change: Partial<GenerateForm>) => void }) {
  const units = form.controlUnits;
  const usable = controlModels.filter((m) => m.base === null || m.base === base);
  const state = units.length === 0 ? 'off' : `${units.length} unit${units.length === 1 ? '' : 's'}`;
  const setUnit = (index: number, unit: ControlUnitForm) => onChange({ controlUnits: units.map((u, i) => (i === index ? unit : u)) });
  return (
    <Accordion variant="outlined" disableGutters slotProps={{ transition: { unmountOnExit: true } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls="control-fields" id="control-summary">
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
          <Typography variant="body2">ControlNet</Typography>
          <Typography variant="caption" color="text.secondary" aria-label="ControlNet state">
            {state}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id="control-fields">
        <Stack spacing={1.5}>
          {units.map((unit, index) => (
            <ControlUnitEditor key={index} index={index} unit={unit} controlModels={usable} references={references} size={form} onChange={(u) => setUnit(index, u)} onRemove={() => onChange({ controlUnits: units.filter((_, i) => i !== index) })} />
          ))}
          <Button size="small" startIcon={<AddIcon />} disabled={units.length >= 4} onClick={() => onChange({ controlUnits: [...units, { ...NEW_CONTROL_UNIT, kind: controlKindOf(usable[0]), model: usable[0]?.path ?? '', image: '' }] })} sx={{ alignSelf: 'flex-start' }}>
            Add control unit
          </Button>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
