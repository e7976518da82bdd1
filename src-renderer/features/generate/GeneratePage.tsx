// The Generate page: who (character), what (prompt + style), how (model, variant, weights, sampler, seed, size).
// Every change is stored at once (form-store), so a reload or a crash loses nothing; Ctrl/Cmd+Enter generates.
import AutoAwesomeIcon from '@mui/icons-material/AutoAwesome';
import BrushIcon from '@mui/icons-material/Brush';
import ClearIcon from '@mui/icons-material/Clear';
import { Alert, Box, Button, Chip, FormControlLabel, Link, MenuItem, Paper, Snackbar, Stack, Switch, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useMemo, useRef, useState } from 'react';
import { SAMPLERS, VAE_AUTOMATIC, type Sampler } from '../../../src-preload/contract/generation.ts';
import type { Failure } from '../../../src-preload/contract/index.ts';
import type { StylePreset } from '../../../src-preload/contract/presets.ts';
import { navigate, routeHash } from '../../app/navigation.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../common/NumberSlider.tsx';
import { isModKey, useKeydown, withShortcut } from '../../common/shortcuts.ts';
import { useLoad } from '../../common/use-load.ts';
import { usePersistentState } from '../../common/use-persistent-state.ts';
import { BestOfControl } from './components/BestOfControl.tsx';
import { FaceDetailSection } from './components/FaceDetailSection.tsx';
import { ControlSection } from './components/ControlSection.tsx';
import { HiresFixSection } from './components/HiresFixSection.tsx';
import { LoraPicker } from './components/LoraPicker.tsx';
import { PromptField } from './components/PromptField.tsx';
import { SeedControl } from './components/SeedControl.tsx';
import { SizeConditioningSection } from './components/SizeConditioningSection.tsx';
import { SizeControl } from './components/SizeControl.tsx';
import { StylePresetPicker } from './components/StylePresetPicker.tsx';
import { VariantPicker } from './components/VariantPicker.tsx';
import { FORM_STORAGE_KEY } from './form-store.ts';
import { acceptStoredForm, DEFAULT_FORM, formFromParameters, formWithModel, planSeeds, toParams, usageToOffer, type GenerateForm } from './generate-form.ts';
import { BASE_LABELS, baseOf, checkpointBase, findCheckpoint, modelChoices } from './model-choices.ts';
import { readImageParameters } from './png-parameters.ts';
import { sideLimits } from './sizes.ts';

export function GeneratePage() {
  const studio = useStudio();
  const [form, setForm] = usePersistentState<GenerateForm>(FORM_STORAGE_KEY, DEFAULT_FORM, acceptStoredForm);
  const update = (change: Partial<GenerateForm>) => setForm((previous) => ({ ...previous, ...change }));
  const characters = useLoad(async (s) => {
    const result = await s.characters.list({});
    return result.ok ? { ok: true, value: result.value.characters } : result;
  });
  const models = useLoad(async (s) => {
    const result = await s.models.list({});
    return result.ok ? { ok: true, value: modelChoices(result.value.models) } : result;
  });
  // The catalog's settings for the LoRAs it knows (LCM-LoRA), offered when the prompt tags one.
  const catalog = useLoad(async (s) => {
    const result = await s.models.inventory({ rescan: false });
    return result.ok ? { ok: true, value: result.value.catalog } : result;
  });
  const offer = usageToOffer(form, catalog.value ?? []);
  // The character's reference photos, offered as control pictures (a pose of the person to copy).
  const references = useLoad(async (s) => {
    if (form.characterId === '') return { ok: true, value: [] };
    const result = await s.references.list({ characterId: form.characterId });
    return result.ok ? { ok: true, value: result.value.references } : result;
  }, [form.characterId]);
  const presets = useLoad(async (s) => {
    const result = await s.presets.list({});
    return result.ok ? { ok: true, value: result.value.presets } : result;
  });
  const [failure, setFailure] = useState<Failure | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [isSubmitting, setSubmitting] = useState(false);
  const [isDragOver, setDragOver] = useState(false);

  const preset = presets.value?.find((p) => p.id === form.presetId);
  const checkpoints = models.value?.checkpoints ?? [];
  const checkpoint = findCheckpoint(models.value, form.model);
  const modelListed = form.model === '' || checkpoint !== undefined;
  const base = checkpointBase(checkpoint);
  // Adapters of the chosen checkpoint's base only: an SD1.5 adapter cannot drive an SDXL UNet, nor the other way round.
  const installed = models.value?.adapters[base] ?? new Map();
  const adapter = installed.get(form.variant);
  const usesFace = form.characterId !== '';

  const choosePreset = (chosen: StylePreset) => update({ presetId: chosen.id, faceWeight: chosen.faceWeight, structure: chosen.structure });

  const generate = async () => {
    if (isSubmitting) return;
    setFailure(undefined);
    if (form.model === '') {
      setFailure({ code: 'invalid-request', userMessage: 'Choose a model first.', hint: 'Models found in your model folders are listed under Model; add folders in Settings or get models in Models.' });
      return;
    }
    if (usesFace && adapter === undefined) {
      setFailure({ code: 'invalid-request', userMessage: `No ${BASE_LABELS[base]} adapter for the chosen FaceID variant is installed.`, hint: `Pick an installed variant, or get the ${BASE_LABELS[base]} one in Models.` });
      return;
    }
    setSubmitting(true);
    const { seeds, nextSeed } = planSeeds(form);
    let queued = 0;
    for (const seed of seeds) {
      const result = await studio.jobs.enqueue({
        params: toParams(form, preset, seed, adapter?.path, base),
        ...(usesFace ? { characterId: form.characterId } : {}),
        ...(form.parentId === '' ? {} : { parentId: form.parentId }),
      });
      if (!result.ok) {
        setFailure(result.error);
        break;
      }
      queued++;
    }
    if (queued > 0) {
      update({ seed: nextSeed });
      setNotice(`${queued} job${queued === 1 ? '' : 's'} queued`);
    }
    setSubmitting(false);
  };

  // The desktop app's menu item "Generate" arrives as an app command.
  const latestGenerate = useRef(generate);
  latestGenerate.current = generate;
  useEffect(() => studio.on('app.command', ({ command }) => command === 'generate.start' && void latestGenerate.current()), [studio]);

  useKeydown((event) => {
    if (event.key === 'Enter' && isModKey(event)) {
      event.preventDefault();
      void generate();
    }
  });

  const dropParameters = async (file: File) => {
    const result = readImageParameters(new Uint8Array(await file.arrayBuffer()));
    if (!result.ok) {
      setFailure({ code: 'image.unsupported-format', userMessage: `${file.name}: ${result.message}` });
      return;
    }
    const hash = result.value.model?.hash;
    const byHash = hash === undefined ? undefined : await studio.models.findByHash({ hash });
    const choices = {
      checkpointByHash: byHash?.ok === true ? (byHash.value.path ?? undefined) : undefined,
      checkpoints: models.value?.checkpoints ?? [],
      adapters: models.value?.adapters ?? { sd15: new Map(), sdxl: new Map() },
      loras: models.value?.loras ?? [],
      vaes: models.value?.vaes ?? [],
      characterIds: characters.value?.map((c) => c.id) ?? [],
    };
    const { form: loaded, unmatched } = formFromParameters(form, result.value, choices);
    setForm(loaded);
    const skipped = result.value.unsupported.length === 0 ? '' : ` Not used: ${result.value.unsupported.join(', ')}.`;
    const missing = unmatched.length === 0 ? '' : ` Not found here: ${unmatched.join(', ')}.`;
    setNotice(`Loaded the ${result.value.source} settings from ${file.name}.${missing}${skipped}`);
  };

  const samplerOptions = useMemo(() => SAMPLERS.map((s) => <MenuItem key={s} value={s}>{s}</MenuItem>), []);

  return (
    <Box
      component="section"
      aria-labelledby="generate-heading"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) {
          event.preventDefault();
          setDragOver(true);
        }
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragOver(false);
        const file = event.dataTransfer.files[0];
        if (file !== undefined) void dropParameters(file);
      }}
      sx={{ outline: isDragOver ? '2px dashed' : 'none', outlineColor: 'primary.main', borderRadius: 2 }}
    >
      <Stack direction="row" sx={{ alignItems: 'baseline', justifyContent: 'space-between', mb: 2 }}>
        <Typography id="generate-heading" variant="h4" component="h2">
          Generate
        </Typography>
        <Typography variant="body2" color="text.secondary">
          Drop a picture from A1111 (PNG, JPEG, WebP), ComfyUI or this studio here to load its settings.
        </Typography>
      </Stack>
      {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
      {models.failure === undefined ? null : <ErrorNotice failure={models.failure} />}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 1.3fr) minmax(320px, 1fr)' }, gap: 2 }}>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Stack spacing={2}>
            <Tooltip title="Whose face goes into the picture (their reference photos' identity). None: a plain Stable Diffusion image." placement="top-start" describeChild>
              <TextField select label="Character" value={characters.value?.some((c) => c.id === form.characterId) === true ? form.characterId : ''} onChange={(e) => update({ characterId: e.target.value })} size="small">
                <MenuItem value="">No character (no FaceID)</MenuItem>
                {characters.value?.map((character) => (
                  <MenuItem key={character.id} value={character.id}>
                    {character.name}
                  </MenuItem>
                ))}
              </TextField>
            </Tooltip>
            <PromptField label="Prompt" help="Describe the scene. (word:1.2) gives a word more weight, [word] less; BREAK starts a new 75-token chunk." value={form.prompt} onChange={(prompt) => update({ prompt })} model={form.model} rows={4} />
            <LoraPicker loras={models.value?.loras ?? []} prompt={form.prompt} onChange={(prompt) => update({ prompt })} />
            {offer === undefined ? null : (
              <Alert severity="info" role="status" aria-label="Model settings" action={<Button size="small" onClick={() => update({ sampler: offer.sampler, steps: offer.steps, cfg: offer.cfg })}>Apply</Button>}>
                {offer.title} is made for: {offer.text}.
              </Alert>
            )}
            <PromptField label="Negative prompt" help="What the picture should not have; the style's negative is added to it." value={form.negativePrompt} onChange={(negativePrompt) => update({ negativePrompt })} model={form.model} rows={2} />
            <StylePresetPicker
              presets={presets.value ?? []}
              value={form.presetId}
              onChange={choosePreset}
              onSaved={(saved) => {
                presets.reload();
                if (saved.id === 'builtin:none') update({ presetId: saved.id });
                else choosePreset(saved);
              }}
            />
            {preset !== undefined && preset.id !== 'builtin:none' ? (
              <Typography variant="caption" color="text.secondary" aria-label="Prompt sent">
                Sent as: {preset.template.replace('{prompt}', form.prompt.trim() === '' ? '…' : form.prompt.trim())}
              </Typography>
            ) : null}
            {form.initImage === '' ? null : (
              <Paper variant="outlined" sx={{ p: 1.5 }}>
                <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
                  <Box component="img" src={studio.mediaUrl(form.initImage)} alt="Source image" sx={{ width: 96, height: 96, objectFit: 'cover', borderRadius: 1 }} />
                  <Stack spacing={1} sx={{ flex: 1 }}>
                    <Typography variant="body2">{form.maskImage === '' ? 'Image to image: starts from this picture.' : 'Inpaint: repaints the masked area of this picture.'}</Typography>
                    <NumberSlider label="Strength" help="How much the source changes: 0 keeps it, 1 ignores it." value={form.strength} min={0} max={1} step={0.05} onChange={(strength) => update({ strength })} />
                  </Stack>
                  <Stack spacing={1}>
                    <Tooltip title="Paint the area to repaint, then generate">
                      <Button startIcon={<BrushIcon />} onClick={() => navigate('generate', 'inpaint')}>
                        Inpaint
                      </Button>
                    </Tooltip>
                    <Tooltip title="Back to text-to-image">
                      <Button startIcon={<ClearIcon />} onClick={() => update({ initImage: '', maskImage: '', parentId: '' })}>
                        Clear source
                      </Button>
                    </Tooltip>
                  </Stack>
                </Stack>
              </Paper>
            )}
          </Stack>
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Stack spacing={2}>
            <Tooltip title="The Stable Diffusion checkpoint that paints the picture." placement="top-start" describeChild>
              <TextField
                select
                label="Model"
                value={modelListed ? form.model : ''}
                onChange={(e) => {
                  const next = findCheckpoint(models.value, e.target.value);
                  setForm((previous) => formWithModel(previous, e.target.value, base, checkpointBase(next), models.value?.adapters[checkpointBase(next)] ?? new Map()));
                }}
                size="small"
              >
                {checkpoints.length === 0 ? <MenuItem value="" disabled>No models found</MenuItem> : null}
                {checkpoints.map((model) => (
                  <MenuItem key={model.path} value={model.path}>
                    {model.name}
                    <Chip label={BASE_LABELS[baseOf(model)]} size="small" variant="outlined" color={baseOf(model) === 'sdxl' ? 'secondary' : 'default'} sx={{ ml: 1 }} />
                  </MenuItem>
                ))}
              </TextField>
            </Tooltip>
            {checkpoints.length === 0 ? (
              <Typography variant="caption" color="text.secondary">
                Add model folders in <Link href={routeHash('settings')}>Settings</Link> or get models in <Link href={routeHash('models')}>Models</Link>.
              </Typography>
            ) : null}
            <VariantPicker value={form.variant} base={base} installed={installed} onChange={(variant) => update({ variant })} />
            <NumberSlider label="Face weight" help="How strongly the character's face is imposed. Higher: closer likeness, less freedom for style and pose." value={form.faceWeight} min={0} max={1.5} step={0.05} disabled={!usesFace} onChange={(faceWeight) => update({ faceWeight })} />
            <NumberSlider label="Structure" help="Plus v2 only: how much the face's shape from the photos counts. Lower lets stylized looks stray from the photo." value={form.structure} min={0} max={3} step={0.1} disabled={!usesFace || form.variant !== 'faceid-plusv2'} onChange={(structure) => update({ structure })} />
            <NumberSlider label="LoRA strength" help="Strength of the variant's paired LoRA, which improves likeness; lower it if the style suffers." value={form.loraWeight} min={0} max={1} step={0.05} disabled={!usesFace} onChange={(loraWeight) => update({ loraWeight })} />
            <NumberSlider label="CFG scale" help="How literally the prompt is followed. 5–8 is usual; higher gets harsh, LCM wants 1–2." value={form.cfg} min={1} max={20} step={0.5} onChange={(cfg) => update({ cfg })} />
            <NumberSlider label="Steps" help="Denoising steps: more is slower and usually finer, with little gain past 30." value={form.steps} min={1} max={150} step={1} onChange={(steps) => update({ steps })} />
            <Tooltip title="How the noise is removed step by step. DPM++ 2M Karras is good at 20–30 steps; Euler a is more varied; LCM needs an LCM model." placement="top-start" describeChild>
              <TextField select label="Sampler" value={form.sampler} onChange={(e) => update({ sampler: e.target.value as Sampler })} size="small">
                {samplerOptions}
              </TextField>
            </Tooltip>
            <Tooltip title="A1111's Clip skip: 2 conditions on the text encoder's second-to-last layer, as anime-style models expect; 1 for everything else." placement="top-start" describeChild>
              <TextField select label="Clip skip" value={form.clipSkip} onChange={(e) => update({ clipSkip: Number(e.target.value) })} size="small">
                <MenuItem value={1}>1</MenuItem>
                <MenuItem value={2}>2</MenuItem>
              </TextField>
            </Tooltip>
            <Tooltip title="A1111's SD VAE: the decoder that turns the result into pixels. Default follows Settings; Automatic is the checkpoint's own." placement="top-start" describeChild>
              <TextField select label="VAE" value={form.vae === '' || form.vae === VAE_AUTOMATIC || (models.value?.vaes ?? []).some((m) => m.path === form.vae) ? form.vae : ''} onChange={(e) => update({ vae: e.target.value })} size="small">
                <MenuItem value="">Default (Settings)</MenuItem>
                <MenuItem value={VAE_AUTOMATIC}>Automatic (the checkpoint&apos;s own)</MenuItem>
                {(models.value?.vaes ?? []).map((m) => (
                  <MenuItem key={m.path} value={m.path}>
                    {m.name}
                  </MenuItem>
                ))}
              </TextField>
            </Tooltip>
            <Tooltip title="Decode the final pictures with TAESD (the live-preview decoder): a fraction of a second instead of the full VAE, at draft quality. Needs TAESD (or TAESDXL) from the Models page." placement="top-start" describeChild>
              <FormControlLabel control={<Switch checked={form.draftDecode} onChange={(e) => update({ draftDecode: e.target.checked })} />} label="Draft decode (TAESD)" />
            </Tooltip>
            <SeedControl mode={form.seedMode} seed={form.seed} onChange={update} />
            <SizeControl width={form.width} height={form.height} base={base} limits={sideLimits(base, checkpoint?.isFullSize ?? null)} onChange={update} />
            {base === 'sdxl' ? <SizeConditioningSection value={form.sizeConditioning} size={form} onChange={(sizeConditioning) => update({ sizeConditioning })} /> : null}
            <ControlSection form={form} base={base} controlModels={models.value?.controlModels ?? []} references={references.value ?? []} onChange={update} />
            <HiresFixSection form={form} onChange={update} />
            <FaceDetailSection form={form} usesFace={usesFace} onChange={update} />
            <NumberSlider label="Batch count" help="How many images to queue, one job each (with the seed mode deciding their seeds)." value={form.batchCount} min={1} max={16} step={1} onChange={(batchCount) => update({ batchCount })} />
            <BestOfControl form={form} usesFace={usesFace} onChange={update} />
          </Stack>
        </Paper>
      </Box>
      <Box sx={{ position: 'sticky', bottom: 0, zIndex: 2, py: 2, display: 'flex', justifyContent: 'flex-end', gap: 2, bgcolor: 'background.default', borderTop: 1, borderColor: 'divider' }}>
        <Tooltip title="Reset every setting on this page to its default">
          <Button onClick={() => setForm(DEFAULT_FORM)}>Reset form</Button>
        </Tooltip>
        <Tooltip title={withShortcut('Queue the image(s) with these settings', 'generate')}>
          <span>
            <Button variant="contained" size="large" startIcon={<AutoAwesomeIcon />} onClick={() => void generate()} disabled={isSubmitting}>
              Generate
            </Button>
          </span>
        </Tooltip>
      </Box>
      <Snackbar open={notice !== undefined} autoHideDuration={5000} onClose={() => setNotice(undefined)}>
        <Alert severity="success" onClose={() => setNotice(undefined)} action={<Button size="small" color="inherit" onClick={() => navigate('queue')}>Open queue</Button>}>
          {notice}
        </Alert>
      </Snackbar>
    </Box>
  );
}
