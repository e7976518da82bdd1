// Settings: library and model folders, execution provider, model memory, memory budget, preview interval, theme.
// Each change is saved through the contract as it is made; the theme applies at once, engine settings from the next
// job on.
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { Box, Button, IconButton, List, ListItem, ListItemText, MenuItem, Paper, Stack, TextField, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import { EXECUTION_PROVIDERS, MODEL_MEMORY_MODES, THEMES, type Settings } from '../../../src-preload/contract/settings.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../common/NumberSlider.tsx';
import { useLoad } from '../../common/use-load.ts';
import { ProvidersList } from '../models/ProvidersList.tsx';

const PROVIDER_LABELS: Record<(typeof EXECUTION_PROVIDERS)[number], string> = {
  auto: 'Automatic (best available)',
  cpu: 'CPU',
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML (Windows GPUs)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU',
};

const MODEL_MEMORY_LABELS: Record<(typeof MODEL_MEMORY_MODES)[number], string> = {
  auto: 'Automatic (compact below 16 GB of RAM)',
  fast: 'Fast — weights expanded to 32-bit (about 2.5× the file in RAM)',
  compact: 'Compact — weights as the file stores them (less RAM, slower on CPU)',
};

export function SettingsPage({ onThemeChange }: { onThemeChange: (theme: Settings['theme']) => void }) {
  const studio = useStudio();
  const settings = useLoad((s) => s.settings.get({}));
  const info = useLoad((s) => s.app.info({}));
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
            <Tooltip title="Which hardware runs the models. Automatic tries the GPU first and falls back to the CPU." placement="top-start" describeChild>
              <TextField select size="small" label="Execution provider" value={current.executionProvider} onChange={(e) => void save({ executionProvider: e.target.value as Settings['executionProvider'] })}>
                {EXECUTION_PROVIDERS.map((provider) => (
                  <MenuItem key={provider} value={provider}>
                    {PROVIDER_LABELS[provider]}
                  </MenuItem>
                ))}
              </TextField>
            </Tooltip>
            <Box role="group" aria-label="Execution provider status">
              <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
                Tried on this machine just now (Automatic uses the first that works):
              </Typography>
              <ProvidersList />
            </Box>
            <Tooltip title="Fast expands half-precision weights to 32-bit once, when a model loads. Compact keeps them as stored and converts each layer as it runs: about 40 % of the memory and a much quicker load, but each step takes about 1.6× as long on the CPU." placement="top-start" describeChild>
              <TextField select size="small" label="Model memory" value={current.modelMemory} onChange={(e) => void save({ modelMemory: e.target.value as Settings['modelMemory'] })}>
                {MODEL_MEMORY_MODES.map((mode) => (
                  <MenuItem key={mode} value={mode}>
                    {MODEL_MEMORY_LABELS[mode]}
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
