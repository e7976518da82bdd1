// The gallery's filters: character, model, variant (adapter), favourites, date range; and the sort.
import StarIcon from '@mui/icons-material/Star';
import { MenuItem, Stack, TextField, ToggleButton, Tooltip } from '@mui/material';
import { memo } from 'react';
import type { Character } from '../../../src-preload/contract/characters.ts';
import { variantOfFile } from '../../../src-preload/contract/model-names.ts';
import { VARIANT_LABELS } from '../generate/model-choices.ts';
import type { GalleryFilter } from './use-gallery-rows.ts';

const DAY_MS = 86_400_000;

function fileName(file: string): string {
  return file.split(/[\\/]/).at(-1) ?? file;
}

function dateInput(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().slice(0, 10);
}

// Memoized: the grid re-renders on every block that arrives, and these MUI selects are the costliest part of the page.
export const GalleryFilters = memo(function GalleryFilters({ filter, onChange, characters, models, adapters }: { filter: GalleryFilter; onChange: (filter: GalleryFilter) => void; characters: Character[]; models: string[]; adapters: string[] }) {
  const set = (change: Partial<GalleryFilter>) => {
    const next: Record<string, unknown> = { ...filter, ...change };
    for (const [key, value] of Object.entries(next)) if (value === undefined || value === '__all') delete next[key];
    onChange(next as GalleryFilter);
  };
  const select = (label: string, help: string, value: string | undefined, options: [string, string][], onPick: (value: string | undefined) => void, width = 170) => (
    <Tooltip title={help} placement="top-start" describeChild>
      <TextField select size="small" label={label} value={value ?? '__all'} onChange={(e) => onPick(e.target.value === '__all' ? undefined : e.target.value)} sx={{ width }}>
        <MenuItem value="__all">All</MenuItem>
        {options.map(([optionValue, optionLabel]) => (
          <MenuItem key={optionValue} value={optionValue}>
            {optionLabel}
          </MenuItem>
        ))}
      </TextField>
    </Tooltip>
  );
  return (
    <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center', mb: 2 }} role="search" aria-label="Gallery filters">
      {select('Character', 'Only images of this character', filter.characterId, characters.map((c) => [c.id, c.name]), (characterId) => set({ characterId }))}
      {select('Model', 'Only images made with this model', filter.model, models.map((m) => [m, fileName(m)]), (model) => set({ model }))}
      {select('Variant', 'Only images made with this FaceID adapter (it decides the variant)', filter.adapter, [['', 'No FaceID'], ...adapters.map((a): [string, string] => [a, `${VARIANT_LABELS[variantOfFile(fileName(a)) ?? 'faceid']} · ${fileName(a)}`])], (adapter) => set({ adapter }), 190)}
      <Tooltip title="Only images created on or after this day">
        <TextField size="small" type="date" label="From" value={dateInput(filter.createdAfter)} onChange={(e) => set({ createdAfter: e.target.value === '' ? undefined : Date.parse(e.target.value) })} slotProps={{ inputLabel: { shrink: true } }} sx={{ width: 170 }} />
      </Tooltip>
      <Tooltip title="Only images created on or before this day">
        <TextField size="small" type="date" label="To" value={dateInput(filter.createdBefore === undefined ? undefined : filter.createdBefore - DAY_MS)} onChange={(e) => set({ createdBefore: e.target.value === '' ? undefined : Date.parse(e.target.value) + DAY_MS })} slotProps={{ inputLabel: { shrink: true } }} sx={{ width: 170 }} />
      </Tooltip>
      <Tooltip title="Only favourites">
        <ToggleButton size="small" value="favorites" selected={filter.favoriteOnly} onChange={() => set({ favoriteOnly: !filter.favoriteOnly })} aria-label="Favourites only">
          <StarIcon fontSize="small" />
        </ToggleButton>
      </Tooltip>
      <Tooltip title="Order of the images; identity puts the closest likeness first" placement="top-start" describeChild>
        <TextField select size="small" label="Sort" value={filter.sort} onChange={(e) => set({ sort: e.target.value as GalleryFilter['sort'] })} sx={{ width: 170 }}>
          <MenuItem value="newest">Newest first</MenuItem>
          <MenuItem value="oldest">Oldest first</MenuItem>
          <MenuItem value="identity">Best identity first</MenuItem>
        </TextField>
      </Tooltip>
    </Stack>
  );
});
