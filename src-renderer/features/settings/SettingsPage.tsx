// Settings: library and model folders, execution provider, model memory, memory budget, preview interval, theme.
// Each change is saved through the contract as it is made; the theme applies at once, engine settings from the next
// job on.
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { Box, Button, IconButton, List, ListItem, ListItemText, MenuItem, Paper, Stack, TextField, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import { THEMES, type Settings } from '../../../src-preload/contract/settings.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../common/NumberSlider.tsx';
import { useLoad } from '../../common/use-load.ts';
import { ProvidersList } from '../models/ProvidersList.tsx';

const PROVIDER_LABELS: Record<Settings['executionProvider'], string> = {
  auto: 'Automatic (best available)',
  cpu: 'CPU',
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML (Windows GPUs)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU',
};

const MODEL_MEMORY_LABELS: Record<Settings['modelMemory'], string> = {
  auto: 'Automatic (compact below 16 GB of RAM)',
  fast: 'Fast — weights expanded to 32-bit (about 2.5× the file in RAM)',
  compact: 'Compact — weights as the file stores them (about a third of the RAM, slower on CPU)',
};

/** A setting chosen from a fixed list (the order of `labels`), with its explanation as a tooltip. */
function ChoiceSetting<T extends string>({ label, help, value, labels, onChange }: { label: string; help: string; value: T; labels: Record<T, string>; onChange: (value: T) => void }) {
  return (
    <Tooltip title={help} placement="top-start" describeChild>
      <TextField select size="small" label={label} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {(Object.keys(labels) as T[]).map((option) => (
          <MenuItem key={option} value={option}>
            {labels[option]}
          </MenuItem>
        ))}
      </TextField>
    </Tooltip>
  );
}

export function SettingsPage({ onThemeChange }: { onThemeChange: (theme: Settings['theme']) => void }) {
  const studio = useStudio();
  const settings = useLoad((s) => s.settings.get({}));
  const info = useLoad((s) => s.app.info({}));
  const models = useLoad((s) => s.models.list({}));
  const vaes = models.value?.models.filter((m) => m.kind === 'vae') ?? [];
  const [failure, setFailure] = useState<Failure | undefined>();
  const [saved, setSaved] = useState<Settings | undefined>();
  const [newFolder, setNewFolder] = useState('');
  const current = saved ?? settings.value;

  const save = async (change: Partial<Settings>) => {
    const result = await studio.settings.update(change);
    if (result.ok) {
      setSaved(result.value);
      setFailure(undefined);
      if (change.theme !== undefined) onThemeChange(result.value.theme);
    } else setFailure(result.error);
  };

  if (current === undefined) return settings.failure === undefined ? null : <ErrorNotice failure={settings.failure} />;
  return (
    <section aria-labelledby="settings-heading">
      <Typography id="settings-heading" variant="h4" component="h2" sx={{ mb: 2 }}>
        Settings
      </Typography>
      {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
      <Stack spacing={2} sx={{ maxWidth: 820 }}>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="h6" component="h3" gutterBottom>
            Folders
          </Typography>
          <TextField label="Library folder" value={info.value?.libraryFolder ?? ''} fullWidth size="small" helperText="Characters, photos and generated images live here. Start the studio with FACEID_STUDIO_HOME set to use another folder." slotProps={{ htmlInput: { readOnly: true } }} />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
            Model folders: read in place, e.g. ComfyUI's models/ or A1111's models/ folder. The studio's own models folder is always used.
          </Typography>
          <List dense aria-label="Model folders">
            {current.modelFolders.length === 0 ? (
              <ListItem>
                <ListItemText secondary="No extra model folders." />
              </ListItem>
            ) : null}
            {current.modelFolders.map((folder) => (
              <ListItem key={folder} secondaryAction={
                <Tooltip title="Stop reading models from this folder (the files stay)">
                  <IconButton aria-label={`Remove model folder ${folder}`} onClick={() => void save({ modelFolders: current.modelFolders.filter((f) => f !== folder) })}>
                    <DeleteIcon />
                  </IconButton>
                </Tooltip>
              }>
                <ListItemText primary={folder} />
              </ListItem>
            ))}
          </List>
          <Stack direction="row" spacing={1} component="form" onSubmit={(event) => {
            event.preventDefault();
            const folder = newFolder.trim();
            if (folder === '' || current.modelFolders.includes(folder)) return;
            void save({ modelFolders: [...current.modelFolders, folder] }).then(() => setNewFolder(''));
          }}>
            <TextField size="small" label="Add a model folder" placeholder="/path/to/ComfyUI/models" value={newFolder} onChange={(e) => setNewFolder(e.target.value)} fullWidth />
            <Button type="submit" startIcon={<AddIcon />} variant="outlined">
              Add
            </Button>
          </Stack>
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="h6" component="h3" gutterBottom>
            Engine
          </Typography>
          <Stack spacing={2}>
            <ChoiceSetting label="Execution provider" help="Which hardware runs the models. Automatic tries the GPU first and falls back to the CPU." value={current.executionProvider} labels={PROVIDER_LABELS} onChange={(executionProvider) => void save({ executionProvider })} />
            <Box role="group" aria-label="Execution provider status">
              <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
                Tried on this machine just now (Automatic uses the first that works):
              </Typography>
              <ProvidersList />
            </Box>
            <ChoiceSetting
              label="Model memory"
              help="Fast expands half-precision weights to 32-bit once, when a model loads. Compact keeps them as stored and converts each layer as it runs: about a third of the memory and a quicker first image, but each step takes about 1.2× as long on the CPU."
              value={current.modelMemory}
              labels={info.value ? { ...MODEL_MEMORY_LABELS, auto: `Automatic — ${info.value.autoModelMemory === 'compact' ? 'Compact' : 'Fast'} on this machine (${Math.round(info.value.totalMemoryBytes / 2 ** 30)} GB of RAM; compact below 16 GB, and for large models such as SDXL’s UNet above)` } : MODEL_MEMORY_LABELS}
              onChange={(modelMemory) => void save({ modelMemory })}
            />
            <Tooltip title="A1111's SD VAE: the VAE every generation uses unless it picks one in Generate. Automatic uses each checkpoint's own." placement="top-start" describeChild>
              <TextField select size="small" label="Default VAE" value={current.defaultVae !== null && vaes.some((m) => m.path === current.defaultVae) ? current.defaultVae : ''} onChange={(e) => void save({ defaultVae: e.target.value === '' ? null : e.target.value })}>
                <MenuItem value="">Automatic (each checkpoint&apos;s own)</MenuItem>
                {vaes.map((m) => (
                  <MenuItem key={m.path} value={m.path}>
                    {m.name}
                  </MenuItem>
                ))}
              </TextField>
            </Tooltip>
            <Typography variant="body2" color="text.secondary">
              Engine settings apply from the next job; a job already running finishes with the settings it started with.
            </Typography>
            <NumberSlider label="Memory budget (MB)" help="How much memory loaded models may use; older models are unloaded beyond it. Lower it if the system runs out of memory." value={current.memoryBudgetMb} min={512} max={65536} step={256} onChange={(memoryBudgetMb) => void save({ memoryBudgetMb })} />
            <NumberSlider label="Preview every N steps" help="How often the queue shows a live preview of the image being made; 0 turns previews off (slightly faster)." value={current.previewEverySteps} min={0} max={50} step={1} onChange={(previewEverySteps) => void save({ previewEverySteps })} />
          </Stack>
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="h6" component="h3" gutterBottom id="theme-label">
            Theme
          </Typography>
          <ToggleButtonGroup exclusive value={current.theme} onChange={(_e, theme: Settings['theme'] | null) => theme !== null && void save({ theme })} aria-labelledby="theme-label">
            {THEMES.map((theme) => (
              <ToggleButton key={theme} value={theme} aria-label={`${theme === 'dark' ? 'Dark' : 'Light'} theme`} sx={{ textTransform: 'none', px: 3 }}>
                {theme === 'dark' ? 'Dark' : 'Light'}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        </Paper>
      </Stack>
    </section>
  );
}
