// Image size: common presets (portrait ratios included) or any multiple of 8.
import { MenuItem, Stack, TextField, Tooltip } from '@mui/material';
import { SIZE_PRESETS } from '../generate-form.ts';

export function SizeControl({ width, height, onChange }: { width: number; height: number; onChange: (size: { width: number; height: number }) => void }) {
  const preset = SIZE_PRESETS.find((p) => p.width === width && p.height === height);
  const side = (label: string, value: number, set: (n: number) => void) => (
    <Tooltip title={`${label} in pixels, a multiple of 8. SD 1.5 works best near 512, SDXL near 1024.`} placement="top-start" describeChild>
      <TextField
        size="small"
        type="number"
        label={label}
        value={value}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isInteger(n) && n > 0) set(n);
        }}
        onBlur={() => set(Math.min(2048, Math.max(64, Math.round(value / 8) * 8)))}
        slotProps={{ htmlInput: { min: 64, max: 2048, step: 8 } }}
        sx={{ width: 110 }}
      />
    </Tooltip>
  );
  return (
    <Stack direction="row" spacing={1}>
      <Tooltip title="Common sizes; portrait ratios suit faces." placement="top-start" describeChild>
        <TextField select size="small" label="Size" value={preset?.label ?? 'custom'} onChange={(e) => {
          const chosen = SIZE_PRESETS.find((p) => p.label === e.target.value);
          if (chosen !== undefined) onChange({ width: chosen.width, height: chosen.height });
        }} sx={{ flex: 1, minWidth: 150 }}>
          {SIZE_PRESETS.map((p) => (
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
