// The pipeline's runners over onnxruntime sessions of the compiled graphs (engine/models compileModel). Input and
// output names follow the compiler's graphs: text encoders input_ids → last_hidden_state / penultimate_hidden_state
// (/ text_embeds); unet sample, timestep, encoder_hidden_states (+ text_embeds, time_ids, ip_tokens, ip_scale,
// lora_strengths, control residuals) → out_sample; vae_encoder sample → latent_mean, latent_std; vae_decoder latent
// → sample.
import * as ort from 'onnxruntime-node';
import { BugError, StudioError } from '../../base/errors.ts';
import type { TextEncoderRecipe } from '../models/architectures.ts';
import { TEXT_ENCODER_INPUTS } from '../models/clip-text.ts';
import { CONTROL_MID_OUTPUT, CONTROLNET_INPUTS, controlDownOutput } from '../models/controlnet.ts';
import { T2I_INPUT, t2iFeatureOutput, type T2IAdapterConfig } from '../models/t2i-adapter.ts';
import { TAESD_INPUT, TAESD_OUTPUT } from '../models/taesd.ts';
import { adapterFeatureInput, adapterFeatureSites, downResidualInput, skipChannels, UNET_INPUTS, type EncoderConfig } from '../models/unet.ts';
import type { PipelineStage, SessionPool } from '../onnx/session-pool.ts';
import { decodeTiled, DEFAULT_TILING } from './tiled-decode.ts';
import type { ControlNetRunner, DiffusionRunners, PreviewDecoderRunner, T2IAdapterRunner, TextEncoderRunner, TokenVector, UnetInput, UnetResiduals, UnetRunner, VaeRunner } from './runners.ts';

const IO = {
  textLast: 'last_hidden_state',
  textPenultimate: 'penultimate_hidden_state',
  textEmbeds: 'text_embeds',
  unetLoraStrengths: 'lora_strengths',
  unetOut: 'out_sample',
  vaeEncIn: 'sample',
  vaeMean: 'latent_mean',
  vaeStd: 'latent_std',
  vaeDecIn: 'latent',
  vaeDecOut: 'sample',
} as const;

/** The parts of a compiled model the runners need (engine/models CompiledModel satisfies it). */
export interface CompiledGraphs {
  readonly textEncoders: readonly { readonly path: string; readonly hiddenSize: number; readonly projectionSize?: number }[];
  /** `config`: the UNet's (its skip connections give a residual UNet's zero residuals). */
  readonly unet: { readonly path: string; readonly inputs: readonly string[]; readonly inChannels: number; readonly crossAttentionLayers: number; readonly config: EncoderConfig };
  readonly vaeEncoder: { readonly path: string };
  readonly vaeDecoder: { readonly path: string };
  readonly vaeScalingFactor: number;
}

export interface FinalLayerNorm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly eps: number;
}

export interface OrtTextEncoderOptions {
  readonly recipe: TextEncoderRecipe;
  /** The encoder's final LayerNorm, applied to earlier layers for clip skip ≥ 2 (as A1111 and diffusers do). */
  readonly finalLayerNorm?: FinalLayerNorm;
}

export interface OrtRunnerOptions {
  /** One per compiled text encoder, in the same order. */
  readonly textEncoders: readonly OrtTextEncoderOptions[];
  /** One strength per compiled LoRA (the graph's lora_strengths input). */
  readonly loraStrengths?: readonly number[];
}

/** A compiled graph and the stage of a picture it runs in (none: small graphs that run beside any stage, as previews). */
interface StagedGraph {
  readonly path: string;
  readonly stage?: PipelineStage;
}

async function runTensors(pool: SessionPool, graph: StagedGraph, feeds: Record<string, ort.Tensor>, outputs: readonly string[]): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const modelPath = graph.path;
  const { session } = await pool.get(modelPath, graph.stage);
  let results: ort.InferenceSession.OnnxValueMapType;
  try {
    results = await session.run(feeds, [...outputs]);
  } catch (cause) {
    throw new StudioError('generate.runtime-failed', {
      userMessage: `onnxruntime failed while running ${modelPath}: ${(cause as Error).message}`,
      hint: 'If the GPU ran out of memory, try a smaller size or batch.',
      cause,
    });
  } finally {
    for (const t of Object.values(feeds)) t.dispose?.();
  }
  return outputs.map((output) => {
    const tensor = results[output];
    if (!tensor) throw new StudioError('generate.runtime-failed', { userMessage: `${modelPath} produced no ${output} output.`, hint: 'Compile the model again.' });
    return { data: new Float32Array(tensor.data as Float32Array), dims: tensor.dims };
  });
}

async function runOutputs(pool: SessionPool, graph: StagedGraph, feeds: Record<string, ort.Tensor>, outputs: readonly string[]): Promise<Float32Array[]> {
  return (await runTensors(pool, graph, feeds, outputs)).map((t) => t.data);
}

async function run(pool: SessionPool, graph: StagedGraph, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  return (await runOutputs(pool, graph, feeds, [output]))[0]!;
}

/** LayerNorm over the last axis, in place. */
function layerNorm(x: Float32Array, norm: FinalLayerNorm): void {
  const width = norm.weight.length;
  for (let row = 0; row < x.length; row += width) {
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[row + i]!;
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (x[row + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / width + norm.eps);
    for (let i = 0; i < width; i++) x[row + i] = (x[row + i]! - mean) * inv * norm.weight[i]! + norm.bias[i]!;
  }
}

/** A text encoder's feeds: ids [batch, tokens] and the token vectors replacing some of their embeddings (none: plain ids). */
export function textEncoderFeeds(ids: ArrayLike<number | bigint>, batch: number, hiddenSize: number, vectors: readonly TokenVector[] = []): Record<string, ort.Tensor> {
  const tokens = ids.length / batch;
  const values = new Float32Array(batch * tokens * hiddenSize);
  const mask = new Uint8Array(batch * tokens);
  for (const { position, vector } of vectors) {
    if (vector.length !== hiddenSize || position < 0 || position >= batch * tokens) {
      throw new BugError(`token vector of width ${vector.length} at position ${position} for ${batch}×${tokens} ids of width ${hiddenSize}`);
    }
    values.set(vector, position * hiddenSize);
    mask[position] = 1;
  }
  return {
    [TEXT_ENCODER_INPUTS.ids]: new ort.Tensor('int64', BigInt64Array.from(Array.from(ids, (v) => BigInt(v))), [batch, tokens]),
    [TEXT_ENCODER_INPUTS.vectors]: new ort.Tensor('float32', values, [batch, tokens, hiddenSize]),
    [TEXT_ENCODER_INPUTS.vectorMask]: new ort.Tensor('bool', mask, [batch, tokens, 1]),
  };
}

function textEncoderRunner(pool: SessionPool, graph: CompiledGraphs['textEncoders'][number], options: OrtTextEncoderOptions): TextEncoderRunner {
  const pooled = options.recipe.pooled && graph.projectionSize !== undefined;
  return {
    hiddenSize: graph.hiddenSize,
    ...(pooled ? { pooledSize: graph.projectionSize } : {}),
    async encode(ids, batch, clipSkip, vectors = []) {
      const fixedPenultimate = options.recipe.hiddenState === 'penultimate';
      if (!fixedPenultimate && clipSkip > 2) {
        throw new StudioError('generate.invalid-parameter', { userMessage: `Clip skip ${clipSkip} is not supported by the compiled text encoder (1 or 2).`, hint: 'Use clip skip 1 or 2.' });
      }
      const layer = fixedPenultimate || clipSkip === 2 ? IO.textPenultimate : IO.textLast;
      const [hidden, embeds] = await runOutputs(pool, { path: graph.path, stage: 'text' }, textEncoderFeeds(ids, batch, graph.hiddenSize, vectors), pooled ? [layer, IO.textEmbeds] : [layer]);
      if (!fixedPenultimate && clipSkip === 2) {
        if (!options.finalLayerNorm) {
          throw new StudioError('generate.unsupported-model', { userMessage: 'Clip skip 2 needs the text encoder\'s final LayerNorm weights, which were not found.', hint: 'Use clip skip 1 with this model.' });
        }
        layerNorm(hidden!, options.finalLayerNorm);
      }
      return { hidden: hidden!, ...(embeds ? { pooled: embeds } : {}) };
    },
  };
}

/** Zero residuals for a UNet's skip connections and mid block: each downsampler (3×3, stride 2, padding 1) gives ⌈side/2⌉. */
function zeroResiduals(config: EncoderConfig, [batch, , h, w]: readonly [number, number, number, number]): UnetResiduals {
  const channels = skipChannels(config);
  const shapes: [number, number, number, number][] = [];
  let [height, width] = [h, w];
  shapes.push([batch, channels[0]!, height, width]);
  config.down.forEach((level, i) => {
    for (let j = 0; j < config.layersPerBlock; j++) shapes.push([batch, level.channels, height, width]);
    if (i < config.down.length - 1) {
      [height, width] = [Math.ceil(height / 2), Math.ceil(width / 2)];
      shapes.push([batch, level.channels, height, width]);
    }
  });
  const zeros = (shape: [number, number, number, number]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
  const top = config.down[config.down.length - 1]!.channels;
  return { down: shapes.map(zeros), mid: zeros([batch, top, height, width]) };
}

/** A compiled ControlNet (models/compile-control.ts) as a runner: its outputs in the UNet's residual order. */
export function createControlNetRunner(pool: SessionPool, graph: { readonly path: string; readonly config: EncoderConfig }): ControlNetRunner {
  const skips = skipChannels(graph.config).length;
  const outputs = [...Array.from({ length: skips }, (_, k) => controlDownOutput(k)), CONTROL_MID_OUTPUT];
  return {
    async run(input) {
      const [batch, , h, w] = input.sampleShape;
      const crossDim = input.encoderHiddenStates.length / (batch * input.tokens);
      const added: Record<string, ort.Tensor> = {};
      if (graph.config.addedEmbedding) {
        if (!input.added) throw new StudioError('generate.unsupported-model', { userMessage: 'This ControlNet is an SDXL one and needs the pooled text and size conditioning, which the job did not give.', hint: 'Use it with an SDXL checkpoint.' });
        added[CONTROLNET_INPUTS.textEmbeds] = new ort.Tensor('float32', input.added.textEmbeds, [batch, input.added.textEmbeds.length / batch]);
        added[CONTROLNET_INPUTS.timeIds] = new ort.Tensor('float32', input.added.timeIds, [batch, input.added.timeIds.length / batch]);
      }
      const results = await runTensors(pool, { path: graph.path, stage: 'denoise' }, {
        ...added,
        [CONTROLNET_INPUTS.sample]: new ort.Tensor('float32', input.sample, [...input.sampleShape]),
        [CONTROLNET_INPUTS.timestep]: new ort.Tensor('float32', Float32Array.of(input.timestep), [1]),
        [CONTROLNET_INPUTS.text]: new ort.Tensor('float32', input.encoderHiddenStates, [batch, input.tokens, crossDim]),
        [CONTROLNET_INPUTS.image]: new ort.Tensor('float32', input.image, [batch, input.imageChannels, 8 * h, 8 * w]),
        [CONTROLNET_INPUTS.scale]: new ort.Tensor('float32', Float32Array.of(input.scale), [1]),
      }, outputs);
      const residual = ({ data, dims }: { data: Float32Array; dims: readonly number[] }) => ({ data, shape: dims as unknown as readonly [number, number, number, number] });
      return { down: results.slice(0, skips).map(residual), mid: residual(results[skips]!) };
    },
  };
}

export function createT2IAdapterRunner(pool: SessionPool, graph: { readonly path: string; readonly config: T2IAdapterConfig }): T2IAdapterRunner {
  const outputs = graph.config.channels.map((_, k) => t2iFeatureOutput(k));
  return {
    imageChannels: graph.config.imageChannels,
    async run(image, height, width) {
      const results = await runTensors(pool, { path: graph.path, stage: 'denoise' }, { [T2I_INPUT]: new ort.Tensor('float32', image, [1, graph.config.imageChannels, height, width]) }, outputs);
      return results.map(({ data, dims }) => ({ data, shape: dims as unknown as readonly [number, number, number, number] }));
    },
  };
}

export function createPreviewDecoderRunner(pool: SessionPool, graph: { readonly path: string }): PreviewDecoderRunner {
  return {
    async decode(latent, height, width) {
      const [image] = await runTensors(pool, graph, { [TAESD_INPUT]: new ort.Tensor('float32', latent, [1, 4, height, width]) }, [TAESD_OUTPUT]);
      return image!.data.map((v) => Math.min(1, Math.max(0, v)));
    },
  };
}

export function createOrtRunners(pool: SessionPool, graphs: CompiledGraphs, options: OrtRunnerOptions): DiffusionRunners {
  const textEncoders = graphs.textEncoders.map((graph, i) => textEncoderRunner(pool, graph, options.textEncoders[i]!));

  const unetInputs = new Set(graphs.unet.inputs);
  const unet: UnetRunner = {
    inChannels: graphs.unet.inChannels,
    acceptsIpTokens: unetInputs.has(UNET_INPUTS.ipTokens),
    takesAddedConditioning: unetInputs.has(UNET_INPUTS.timeIds),
    takesResiduals: unetInputs.has(UNET_INPUTS.midResidual),
    takesAdapterFeatures: unetInputs.has(adapterFeatureInput(0)),
    crossAttentionLayers: graphs.unet.crossAttentionLayers,
    async run(input: UnetInput) {
      const [batch] = input.sampleShape;
      const crossDim = input.encoderHiddenStates.length / (batch * input.tokens);
      const feeds: Record<string, ort.Tensor> = {
        [UNET_INPUTS.sample]: new ort.Tensor('float32', input.sample, [...input.sampleShape]),
        [UNET_INPUTS.timestep]: new ort.Tensor('float32', Float32Array.of(input.timestep), [1]),
        [UNET_INPUTS.text]: new ort.Tensor('float32', input.encoderHiddenStates, [batch, input.tokens, crossDim]),
      };
      if (unetInputs.has(UNET_INPUTS.timeIds)) {
        if (!input.added) throw new StudioError('generate.unsupported-model', { userMessage: 'This UNet needs the pooled text embedding and size conditioning (SDXL), which the job did not give.', hint: 'Report this as a bug.' });
        feeds[UNET_INPUTS.textEmbeds] = new ort.Tensor('float32', input.added.textEmbeds, [batch, input.added.textEmbeds.length / batch]);
        feeds[UNET_INPUTS.timeIds] = new ort.Tensor('float32', input.added.timeIds, [batch, input.added.timeIds.length / batch]);
      }
      if (unetInputs.has(UNET_INPUTS.ipTokens)) {
        // A FaceID graph without a face this time: zero tokens at scale 0 leave the UNet exactly as without adapter.
        const ip = input.ip ?? { tokens: new Float32Array(batch * crossDim), count: 1, scale: new Float32Array(graphs.unet.crossAttentionLayers) };
        feeds[UNET_INPUTS.ipTokens] = new ort.Tensor('float32', ip.tokens, [batch, ip.count, crossDim]);
        feeds[UNET_INPUTS.ipScale] = new ort.Tensor('float32', ip.scale, [ip.scale.length]);
      }
      if (unetInputs.has(IO.unetLoraStrengths)) {
        feeds[IO.unetLoraStrengths] = new ort.Tensor('float32', Float32Array.from(options.loraStrengths ?? []), [options.loraStrengths?.length ?? 0]);
      }
      if (unetInputs.has(UNET_INPUTS.midResidual)) {
        // No control this step (a pass without units, or all outside their window): zeros, the UNet as without.
        const residuals = input.residuals ?? zeroResiduals(graphs.unet.config, input.sampleShape);
        residuals.down.forEach((r, k) => (feeds[downResidualInput(k)] = new ort.Tensor('float32', r.data, [...r.shape])));
        feeds[UNET_INPUTS.midResidual] = new ort.Tensor('float32', residuals.mid.data, [...residuals.mid.shape]);
      }
      if (unetInputs.has(adapterFeatureInput(0))) {
        // No adapter this pass: zero features, the UNet as without.
        const zeros = () => {
          const shapes = zeroResiduals(graphs.unet.config, input.sampleShape);
          return adapterFeatureSites(graphs.unet.config).map((site) => (site === 'mid' ? shapes.mid : shapes.down[site]!));
        };
        const features = input.adapterFeatures ?? zeros();
        features.forEach((f, k) => (feeds[adapterFeatureInput(k)] = new ort.Tensor('float32', f.data, [...f.shape])));
      }
      return run(pool, { path: graphs.unet.path, stage: 'denoise' }, feeds, IO.unetOut);
    },
  };

  const vae: VaeRunner = {
    scalingFactor: graphs.vaeScalingFactor,
    async encode(image, height, width) {
      const [mean, std] = await runOutputs(pool, { path: graphs.vaeEncoder.path, stage: 'vae' }, { [IO.vaeEncIn]: new ort.Tensor('float32', image, [1, 3, height, width]) }, [IO.vaeMean, IO.vaeStd]);
      return { mean: mean!, std: std! };
    },
    async decode(latent, h, w) {
      // Above 1024² in overlapping tiles (tiled-decode.ts), so the decoder's memory stays that of one tile.
      const decodeTile = async (tile: Float32Array, th: number, tw: number) =>
        (await runTensors(pool, { path: graphs.vaeDecoder.path, stage: 'vae' }, { [IO.vaeDecIn]: new ort.Tensor('float32', tile, [1, tile.length / (th * tw), th, tw]) }, [IO.vaeDecOut]))[0]!;
      return decodeTiled(latent, h, w, decodeTile, DEFAULT_TILING);
    },
  };

  return { textEncoders, unet, vae };
}
