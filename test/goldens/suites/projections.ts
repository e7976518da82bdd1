// FaceID projection goldens (fixtures/README.md §3 `projections`): FaceID, PlusV2 at every golden structure weight
// and without shortcut (v1), Portrait with several references, uncond tokens — from the .bin and the .safetensors twins.
// Adapter files are recognised by their projection shapes, golden names drive the cases. `runProjectionGoldens`
// serves the SDXL adapters too (sdxl-projections.ts).
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replayFromTensors } from '../../../src-main/engine/pipeline/golden-replay.ts';
import { loadFaceProjection, projectFaceTokens, releaseFaceProjection, type FaceProjection } from '../../../src-main/engine/models/face-tokens.ts';
import { loadGoldenTensors, type GoldenContext, type GoldenSuite } from '../golden-suite.ts';

type Goldens = Map<string, { data: Float32Array; shape: readonly number[] }>;

function tensor(goldens: Goldens, name: string): Float32Array {
  const t = goldens.get(name);
  if (!t) throw new Error(`projections.safetensors has no tensor "${name}"`);
  return t.data;
}

/** Splits [1, n, w] (or [1, w]) into n vectors of width w. */
function rows(goldens: Goldens, name: string): Float32Array[] {
  const t = goldens.get(name)!;
  const width = t.shape[t.shape.length - 1]!;
  return Array.from({ length: t.data.length / width }, (_, i) => t.data.slice(i * width, (i + 1) * width));
}

async function checkFaceId(ctx: GoldenContext, goldens: Goldens, projection: FaceProjection, form: string): Promise<void> {
  const { cond, uncond } = await projectFaceTokens(projection, { embeddings: rows(goldens, 'faceid_id_embed') });
  ctx.check(`faceid_tokens (${form})`, cond.data, tensor(goldens, 'faceid_tokens'), 'projections');
  ctx.check(`faceid_uncond_tokens (${form})`, uncond.data, tensor(goldens, 'faceid_uncond_tokens'), 'projections');
}

/** The FaceID pipeline golden's prompt embeds end with the IP tokens (text ⊕ 4 tokens): ours must be those rows. */
async function checkPipelineTokens(ctx: GoldenContext, pipelineGolden: string, projection: FaceProjection, form: string): Promise<void> {
  const { tensors: pipe } = await loadGoldenTensors(pipelineGolden);
  const { cond, uncond } = await projectFaceTokens(projection, { embeddings: rows(pipe, 'faceid_id_embed') });
  const recorded = replayFromTensors(pipe)!.ipTokens!;
  const name = path.basename(pipelineGolden, '.safetensors');
  ctx.check(`${name} IP tokens (${form})`, cond.data, recorded.cond, 'projections');
  ctx.check(`${name} uncond IP tokens (${form})`, uncond.data, recorded.uncond, 'projections');
}

async function checkPlus(ctx: GoldenContext, goldens: Goldens, projection: FaceProjection, form: string): Promise<void> {
  const embeddings = rows(goldens, 'faceid_id_embed');
  const clipHidden = [tensor(goldens, 'plusv2_clip_hidden')];
  const uncondClipHidden = tensor(goldens, 'plusv2_uncond_clip_hidden');
  for (const name of [...goldens.keys()].filter((k) => k.startsWith('plusv2_cond_'))) {
    const suffix = name.slice('plusv2_cond_'.length);
    const scale = /^s(\d+(?:\.\d+)?)$/.exec(suffix);
    const options = scale ? { shortcut: true, structure: Number(scale[1]) } : suffix === 'v1_noshortcut' ? { shortcut: false } : undefined;
    if (!options) throw new Error(`unknown PlusV2 golden ${name}`);
    const { cond, uncond } = await projectFaceTokens(projection, { embeddings, clipHidden, uncondClipHidden, ...options });
    ctx.check(`${name} (${form})`, cond.data, tensor(goldens, name), 'projections');
    ctx.check(`plusv2_uncond_${suffix} (${form})`, uncond.data, tensor(goldens, `plusv2_uncond_${suffix}`), 'projections');
  }
}

async function checkPortrait(ctx: GoldenContext, goldens: Goldens, projection: FaceProjection, form: string): Promise<void> {
  const { cond, uncond } = await projectFaceTokens(projection, { embeddings: rows(goldens, 'portrait_id_embeds') });
  ctx.check(`portrait_tokens (${form})`, cond.data, tensor(goldens, 'portrait_tokens'), 'projections');
  ctx.check(`portrait_uncond_tokens (${form})`, uncond.data, tensor(goldens, 'portrait_uncond_tokens'), 'projections');
}

export interface ProjectionGoldenSet {
  readonly goldens: string;
  /** The folder of the adapter files (every ip-adapter-faceid* file but the LoRAs is checked). */
  readonly adapterFolder: string;
  /** The FaceID pipeline golden, whose recorded IP tokens the FaceID adapter must give too. */
  readonly pipelineGolden: string;
}

export async function runProjectionGoldens(ctx: GoldenContext, set: ProjectionGoldenSet): Promise<void> {
  const { tensors: goldens } = await loadGoldenTensors(set.goldens);
  const folder = set.adapterFolder;
  const adapters = (await readdir(folder)).filter((f) => /^ip-adapter-faceid.*\.(bin|safetensors)$/.test(f) && !/_lora/.test(f)).sort();
  const cacheDir = path.join(tmpdir(), 'faceid-golden-projection-cache');
  const seen = new Set<string>();
  for (const file of adapters) {
    const projection = await loadFaceProjection(path.join(folder, file), { cacheDir });
    const form = `${projection.variant}, ${path.extname(file).slice(1)}`;
    try {
      if (projection.variant === 'faceid') {
        await checkFaceId(ctx, goldens, projection, form);
        await checkPipelineTokens(ctx, set.pipelineGolden, projection, form);
      }
      else if (projection.variant === 'faceid-plusv2') await checkPlus(ctx, goldens, projection, form);
      else if (projection.variant === 'faceid-portrait') await checkPortrait(ctx, goldens, projection, form);
      else continue;
      seen.add(form);
    } finally {
      await releaseFaceProjection(projection);
    }
  }
  for (const variant of ['faceid', 'faceid-plusv2', 'faceid-portrait']) {
    for (const ext of ['bin', 'safetensors']) {
      if (!seen.has(`${variant}, ${ext}`)) ctx.record({ name: `${variant} (${ext}) adapter present`, error: Number.POSITIVE_INFINITY, tolerance: 0, metric: 'exact', passed: false, detail: `no ${variant} .${ext} adapter in ${folder}` });
    }
  }
}

export const suite: GoldenSuite = {
  name: 'projections',
  run: (ctx) =>
    runProjectionGoldens(ctx, {
      goldens: path.join(ctx.fixtures, 'goldens', 'projections.safetensors'),
      adapterFolder: path.join(ctx.fixtures, 'ipadapter-tiny'),
      pipelineGolden: path.join(ctx.fixtures, 'goldens', 'pipe_txt2img_faceid.safetensors'),
    }),
};
