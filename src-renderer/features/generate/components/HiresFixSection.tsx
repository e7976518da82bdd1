// A1111's hires fix (collapsed by default): the picture is made at the set size, upscaled, and repainted at the
// larger size with its own steps and denoising strength. Text-to-image only.
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, FormControlLabel, MenuItem, Stack, Switch, TextField, Tooltip, Typography } from '@mui/material';
import { HIRES_UPSCALERS, hiresSize, type HiresUpscaler } from '../../../../src-preload/contract/generation.ts';
import { NumberSlider } from '../../../common/NumberSlider.tsx';
import type { GenerateForm } from '../generate-form.ts';

type HiresFields = Pick<GenerateForm, 'hires' | 'hiresScale' | 'hiresSteps' | 'hiresDenoise' | 'hiresUpscaler' | 'width' | 'height' | 'initImage'>;

export function HiresFixSection({ form, onChange }: { form: HiresFields; onChange: (change: Partial<GenerateForm>) => void }) {
  const target = hiresSize(form.width, form.height, form.hiresScale);
  const applies = form.initImage === '';
  const on = form.hires && applies;
  return (
    <Accordion variant="outlined" disableGutters slotProps={{ transition: { unmountOnExit: true } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls="hires-fields" id="hires-summary">
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
          <Typography variant="body2">Hires fix</Typography>
          <Typography variant="caption" color="text.secondary" aria-label="Hires fix state">
            {!applies ? 'text-to-image only' : on ? `on: ${target.width}×${target.height}` : 'off'}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id="hires-fields">
        <Stack spacing={1.5}>
          <FormControlLabel control={<Switch checked={form.hires} disabled={!applies} onChange={(e) => onChange({ hires: e.target.checked })} />} label="Upscale and repaint (second pass)" />
          <NumberSlider label="Upscale by" help={`The second pass's size: ${target.width}×${target.height}.`} value={form.hiresScale} min={1} max={4} step={0.05} disabled={!on} onChange={(hiresScale) => onChange({ hiresScale })} />
          <NumberSlider label="Hires steps" help="Steps of the second pass; 0 uses as many as the first." value={form.hiresSteps} min={0} max={150} step={1} disabled={!on} onChange={(hiresSteps) => onChange({ hiresSteps })} />
          <NumberSlider label="Denoising strength" help="How much the second pass repaints: low keeps the first picture, high invents new detail (and can double faces)." value={form.hiresDenoise} min={0} max={1} step={0.05} disabled={!on} onChange={(hiresDenoise) => onChange({ hiresDenoise })} />
          <Tooltip title="Latent upscalers resize the latents (fast; need a denoising strength of about 0.5 or more); Lanczos resizes the picture and encodes it again." placement="top-start" describeChild>
            <TextField select size="small" label="Upscaler" value={form.hiresUpscaler} disabled={!on} onChange={(e) => onChange({ hiresUpscaler: e.target.value as HiresUpscaler })}>
              {HIRES_UPSCALERS.map((u) => (
                <MenuItem key={u} value={u}>
                  {u}
                </MenuItem>
              ))}
            </TextField>
          </Tooltip>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
