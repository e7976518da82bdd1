// Image size: the checkpoint base's presets (portrait ratios included; SDXL's trained buckets) or any multiple of 8.
import { MenuItem, Stack, TextField, Tooltip } from '@mui/material';
import type { ModelBase } from '../../../../src-preload/contract/models.ts';
import { BASE_LABELS } from '../model-choices.ts';
import { sizePresets, snapSide } from '../sizes.ts';

export interface SizeControlProps {
  width: number;
  height: number;
  base: ModelBase;
  limits: { min: number; max: number };
  onChange: (size: { width: number; height: number }) => void;
}

export function SizeControl({ width, height, base, limits, onChange }: SizeControlProps) {
  const presets = sizePresets(base);
  const preset = presets.find((p) => p.width === width && p.height === height);
  const side = (label: string, value: number, set: (n: number) => void) => (
    <Tooltip title={`${label} in pixels, a multiple of 8 from ${limits.min} to ${limits.max}. SD 1.5 works best near 512, SDXL near 1024.`} placement="top-start" describeChild>
      <TextField
        size="small"
        type="number"
        label={label}
        value={value}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isInteger(n) && n > 0) set(n);
        }}
        onBlur={() => set(snapSide(value, limits))}
        slotProps={{ htmlInput: { min: limits.min, max: limits.max, step: 8 } }}
        sx={{ width: 110 }}
      />
    </Tooltip>
  );
  return (
    <Stack direction="row" spacing={1}>
      <Tooltip title={`${BASE_LABELS[base]} sizes; portrait ratios suit faces.`} placement="top-start" describeChild>
        <TextField select size="small" label="Size" value={preset?.label ?? 'custom'} onChange={(e) => {
          const chosen = presets.find((p) => p.label === e.target.value);
          if (chosen !== undefined) onChange({ width: chosen.width, height: chosen.height });
        }} sx={{ flex: 1, minWidth: 150 }}>
          {presets.map((p) => (
            <MenuItem key={p.label} value={p.label}>
              {p.label} · {p.width}×{p.height}
            </MenuItem>
          ))}
          <MenuItem value="custom" disabled>
            Custom
          </MenuItem>
        </TextField>
      </Tooltip>
      {side('Width', width, (n) => onChange({ width: n, height }))}
      {side('Height', height, (n) => onChange({ width, height: n }))}
    </Stack>
  );
}
