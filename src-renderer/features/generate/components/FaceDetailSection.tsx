// The face detail pass (collapsed by default): after the picture is made, each face is repainted at the model's own
// size with the character's FaceID, and kept only if it looks at least as much like the character.
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, FormControlLabel, MenuItem, Stack, Switch, TextField, Tooltip, Typography } from '@mui/material';
import { NumberSlider } from '../../../common/NumberSlider.tsx';
import type { FaceDetailFaces, GenerateForm } from '../generate-form.ts';

type FaceDetailFields = Pick<GenerateForm, 'faceDetail' | 'faceDetailStrength' | 'faceDetailPrompt' | 'faceDetailFaces' | 'faceDetailIdentityCheck'>;

export function FaceDetailSection({ form, usesFace, onChange }: { form: FaceDetailFields; usesFace: boolean; onChange: (change: Partial<GenerateForm>) => void }) {
  const on = form.faceDetail && usesFace;
  return (
    <Accordion variant="outlined" disableGutters slotProps={{ transition: { unmountOnExit: true } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls="face-detail-fields" id="face-detail-summary">
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
          <Typography variant="body2">Face detail</Typography>
          <Typography variant="caption" color="text.secondary" aria-label="Face detail state">
            {!usesFace ? 'needs a character' : on ? `on: ${form.faceDetailFaces} face${form.faceDetailFaces === 'all' ? 's' : ''}, strength ${form.faceDetailStrength}` : 'off'}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id="face-detail-fields">
        <Stack spacing={1.5}>
          <FormControlLabel control={<Switch checked={form.faceDetail} disabled={!usesFace} onChange={(e) => onChange({ faceDetail: e.target.checked })} />} label="Repaint faces with the character's identity" />
          <NumberSlider label="Face strength" help="How much each face is repainted: 0.3–0.5 sharpens the likeness and keeps the expression." value={form.faceDetailStrength} min={0.05} max={1} step={0.05} disabled={!on} onChange={(faceDetailStrength) => onChange({ faceDetailStrength })} />
          <Tooltip title="Added to the prompt for the faces only, e.g. “detailed eyes, natural skin”." placement="top-start" describeChild>
            <TextField size="small" label="Face prompt" value={form.faceDetailPrompt} disabled={!on} onChange={(e) => onChange({ faceDetailPrompt: e.target.value })} />
          </Tooltip>
          <TextField select size="small" label="Faces" value={form.faceDetailFaces} disabled={!on} onChange={(e) => onChange({ faceDetailFaces: e.target.value as FaceDetailFaces })}>
            <MenuItem value="largest">The largest face</MenuItem>
            <MenuItem value="all">Every face</MenuItem>
          </TextField>
          <Tooltip title="Scores the picture before and after the pass, and keeps the one before if the pass made it less like the character." placement="top-start" describeChild>
            <FormControlLabel control={<Switch checked={form.faceDetailIdentityCheck} disabled={!on} onChange={(e) => onChange({ faceDetailIdentityCheck: e.target.checked })} />} label="Keep the original if the likeness drops" />
          </Tooltip>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
