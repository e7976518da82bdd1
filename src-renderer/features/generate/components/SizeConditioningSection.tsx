// SDXL's size conditioning, for those who want it (collapsed): the original size and crop the model is told the
// picture had, and the target size. Each field shows what is sent; a value left at its default is not sent at all.
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, Button, Stack, TextField, Tooltip, Typography } from '@mui/material';
import type { SizeConditioning } from '../../../../src-preload/contract/generation.ts';
import { changedConditioning, conditioningDefault, type SizeConditioningKey } from '../sizes.ts';

const FIELDS: readonly (readonly [SizeConditioningKey, string])[] = [
  ['originalWidth', 'Original width'],
  ['originalHeight', 'Original height'],
  ['targetWidth', 'Target width'],
  ['targetHeight', 'Target height'],
  ['cropTop', 'Crop top'],
  ['cropLeft', 'Crop left'],
];

const HELP =
  'SDXL was trained knowing each picture’s original size and crop. A small original size looks like an upscaled small ' +
  'photo (blurrier), a crop offset like a cut-off picture; the defaults (the image size, no crop) ask for a centred, sharp one.';

export interface SizeConditioningSectionProps {
  value: SizeConditioning;
  size: { width: number; height: number };
  onChange: (value: SizeConditioning) => void;
}

export function SizeConditioningSection({ value, size, onChange }: SizeConditioningSectionProps) {
  const isChanged = changedConditioning(value, size) !== undefined;
  const set = (key: SizeConditioningKey, n: number) => {
    const next = { ...value, [key]: n };
    // Kept only while it differs from the default, so an untouched field keeps following the image size.
    if (n === conditioningDefault(key, size)) delete next[key];
    onChange(next);
  };
  return (
    <Accordion variant="outlined" disableGutters slotProps={{ transition: { unmountOnExit: true } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls="size-conditioning-fields" id="size-conditioning-summary">
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
          <Typography variant="body2">SDXL size conditioning</Typography>
          <Typography variant="caption" color="text.secondary" aria-label="Size conditioning state">
            {isChanged ? 'changed' : 'image size, no crop'}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id="size-conditioning-fields">
        <Stack spacing={1.5}>
          <Typography variant="caption" color="text.secondary">
            {HELP}
          </Typography>
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
            {FIELDS.map(([key, label]) => (
              <Tooltip key={key} title={`${label} in pixels SDXL is told; by default ${conditioningDefault(key, size)}.`} placement="top-start" describeChild>
                <TextField
                  size="small"
                  type="number"
                  label={label}
                  value={value[key] ?? conditioningDefault(key, size)}
                  onChange={(e) => {
                    const n = Number(e.target.value);
                    if (e.target.value !== '' && Number.isInteger(n) && n >= 0 && n <= 16_384) set(key, n);
                  }}
                  slotProps={{ htmlInput: { min: 0, max: 16_384, step: 8 } }}
                  sx={{ width: 130 }}
                />
              </Tooltip>
            ))}
          </Stack>
          <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
            <Button size="small" disabled={!isChanged} onClick={() => onChange({})}>
              Use defaults
            </Button>
          </Stack>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
