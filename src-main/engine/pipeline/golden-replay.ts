// Test entry point: the inputs a recorded pipeline golden (goldens/pipe_*.safetensors, fixtures README §3) fed
// diffusers — every noise draw in call order (randnNN), the starting latents (latents_init) and the prompt embeddings,
// whose rows past the 77 text tokens are the FaceID IP tokens. Replaying them in place of the seeded generator and the
// text encoder makes a whole run comparable with the recorded latents and image. Used by the pipelines golden suite
// and by the hidden `faceid generate --replay-golden` option; plain data only, so it crosses to the engine worker.
import { readTensorFloat32 } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { StudioError } from '../../base/errors.ts';
import type { TextConditioning } from './conditioning.ts';
import type { IpConditioning } from './diffuse.ts';

/** CLIP's sequence length: prompt embedding rows beyond it are IP tokens. */
const TEXT_TOKENS = 77;

export interface GoldenReplay {
  /** Every randn diffusers drew, in call order. */
  readonly draws: readonly Float32Array[];
  /** x_T when the golden passed it in rather than drawing it. */
  readonly initialLatents?: Float32Array;
  readonly cond: TextConditioning;
  readonly uncond: TextConditioning;
  /** The IP tokens appended to the prompt embeddings (FaceID goldens only). */
  readonly ipTokens?: { readonly cond: Float32Array; readonly uncond: Float32Array; readonly count: number };
}

type GoldenTensors = ReadonlyMap<string, { readonly data: Float32Array; readonly shape: readonly number[] }>;

/** The replay inputs of a golden's tensors; undefined when it records no prompt embeddings (not a pipeline golden). */
export function replayFromTensors(tensors: GoldenTensors): GoldenReplay | undefined {
  const embeds = tensors.get('prompt_embeds');
  const negative = tensors.get('negative_prompt_embeds');
  if (!embeds || !negative || embeds.shape.length !== 3) return undefined;
  const rows = embeds.shape[1]!;
  const textSize = TEXT_TOKENS * embeds.shape[2]!;
  const draws = [...tensors.keys()].filter((k) => /^randn\d+$/u.test(k)).sort().map((k) => tensors.get(k)!.data);
  const initial = tensors.get('latents_init');
  return {
    draws,
    ...(initial ? { initialLatents: initial.data } : {}),
    cond: { embeddings: embeds.data.slice(0, textSize), tokens: TEXT_TOKENS },
    uncond: { embeddings: negative.data.slice(0, textSize), tokens: TEXT_TOKENS },
    ...(rows > TEXT_TOKENS ? { ipTokens: { cond: embeds.data.slice(textSize), uncond: negative.data.slice(textSize), count: rows - TEXT_TOKENS } } : {}),
  };
}

/** The IP conditioning a replayed FaceID golden gives, at the chosen face weight. */
export function replayIp(replay: GoldenReplay, scale: number): IpConditioning | undefined {
  return replay.ipTokens ? { ...replay.ipTokens, scale } : undefined;
}

/** Reads a pipeline golden file's replay inputs. */
export async function readGoldenReplay(file: string): Promise<GoldenReplay> {
  const index = await readSafetensors(file);
  const tensors = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  for (const [name, descriptor] of index.tensors) tensors.set(name, { data: await readTensorFloat32(descriptor), shape: descriptor.shape });
  const replay = replayFromTensors(tensors);
  if (!replay) {
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `${file} is not a pipeline golden: it has no prompt_embeds / negative_prompt_embeds of shape [1, rows, channels].`,
      hint: 'Pass one of the goldens/pipe_*.safetensors files.',
    });
  }
  return replay;
}
