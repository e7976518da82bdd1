// Seed: random each time, fixed, or counting up; the dice picks a new one now.
import CasinoIcon from '@mui/icons-material/Casino';
import { IconButton, MenuItem, Stack, TextField, Tooltip } from '@mui/material';
import { MAX_SEED, randomSeed, type SeedMode } from '../generate-form.ts';

const MODE_LABELS: Record<SeedMode, string> = { random: 'Random', fixed: 'Fixed', increment: 'Increment' };

export function SeedControl({ mode, seed, onChange }: { mode: SeedMode; seed: number; onChange: (change: { seedMode?: SeedMode; seed?: number }) => void }) {
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Tooltip title="Random: a new seed every time. Fixed: the same seed, to vary only other settings. Increment: seed, seed+1, … for a series." placement="top-start" describeChild>
        <TextField select size="small" label="Seed mode" value={mode} onChange={(e) => onChange({ seedMode: e.target.value as SeedMode })} sx={{ minWidth: 130 }}>
          {Object.entries(MODE_LABELS).map(([value, label]) => (
            <MenuItem key={value} value={value}>
              {label}
            </MenuItem>
          ))}
        </TextField>
      </Tooltip>
      <Tooltip title="The starting noise. The same seed with the same settings gives the same picture." placement="top-start" describeChild>
        <TextField
          size="small"
          label="Seed"
          type="number"
          value={seed}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 0 && n <= MAX_SEED) onChange({ seed: n });
          }}
          fullWidth
          slotProps={{ htmlInput: { min: 0, max: MAX_SEED } }}
        />
      </Tooltip>
      <Tooltip title="Roll a new random seed">
        <IconButton aria-label="Roll a random seed" onClick={() => onChange({ seed: randomSeed() })}>
          <CasinoIcon />
        </IconButton>
      </Tooltip>
    </Stack>
  );
}
