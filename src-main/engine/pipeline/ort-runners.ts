// The pipeline's runners over onnxruntime sessions of the compiled graphs (engine/models compileModel). Input and
// output names follow the compiler's graphs: text_encoder input_ids → last_hidden_state / penultimate_hidden_state;
// unet sample, timestep, encoder_hidden_states (+ ip_tokens, ip_scale, lora_strengths) → out_sample;
// vae_encoder sample → latent_mean, latent_std; vae_decoder latent → sample.
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import type { SessionPool } from '../onnx/session-pool.ts';
import type { DiffusionRunners, TextEncoderRunner, UnetInput, UnetRunner, VaeRunner } from './runners.ts';

const IO = {
  textIds: 'input_ids',
  textLast: 'last_hidden_state',
  textPenultimate: 'penultimate_hidden_state',
  unetSample: 'sample',
  unetTimestep: 'timestep',
  unetText: 'encoder_hidden_states',
  unetIpTokens: 'ip_tokens',
  unetIpScale: 'ip_scale',
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
  readonly textEncoder: { readonly path: string };
  readonly unet: { readonly path: string; readonly inputs: readonly string[]; readonly inChannels: number; readonly crossAttentionLayers: number };
  readonly vaeEncoder: { readonly path: string };
  readonly vaeDecoder: { readonly path: string };
  readonly vaeScalingFactor: number;
}

export interface FinalLayerNorm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly eps: number;
}

export interface OrtRunnerOptions {
  readonly hiddenSize: number;
  /** The text encoder's final LayerNorm, applied to earlier layers for clip skip ≥ 2 (as A1111 and diffusers do). */
  readonly finalLayerNorm?: FinalLayerNorm;
  /** One strength per compiled LoRA (the graph's lora_strengths input). */
  readonly loraStrengths?: readonly number[];
}

async function run(pool: SessionPool, modelPath: string, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  const { session } = await pool.get(modelPath);
  let results: ort.InferenceSession.OnnxValueMapType;
  try {
    results = await session.run(feeds, [output]);
  } catch (cause) {
    throw new StudioError('generate.runtime-failed', {
      userMessage: `onnxruntime failed while running ${modelPath}: ${(cause as Error).message}`,
      hint: 'If the GPU ran out of memory, try a smaller size or batch.',
      cause,
    });
  } finally {
    for (const t of Object.values(feeds)) t.dispose?.();
  }
  const tensor = results[output];
  if (!tensor) throw new StudioError('generate.runtime-failed', { userMessage: `${modelPath} produced no ${output} output.`, hint: 'Compile the model again.' });
  const data = tensor.data as Float32Array;
  return new Float32Array(data);
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

export function createOrtRunners(pool: SessionPool, graphs: CompiledGraphs, options: OrtRunnerOptions): DiffusionRunners {
  const textEncoder: TextEncoderRunner = {
    hiddenSize: options.hiddenSize,
    async encode(ids, batch, clipSkip) {
      if (clipSkip > 2) {
        throw new StudioError('generate.invalid-parameter', { userMessage: `Clip skip ${clipSkip} is not supported by the compiled text encoder (1 or 2).`, hint: 'Use clip skip 1 or 2.' });
      }
      const tokens = ids.length / batch;
      const input = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [batch, tokens]);
      const hidden = await run(pool, graphs.textEncoder.path, { [IO.textIds]: input }, clipSkip === 2 ? IO.textPenultimate : IO.textLast);
      if (clipSkip === 2) {
        if (!options.finalLayerNorm) {
          throw new StudioError('generate.unsupported-model', { userMessage: 'Clip skip 2 needs the text encoder\'s final LayerNorm weights, which were not found.', hint: 'Use clip skip 1 with this model.' });
        }
        layerNorm(hidden, options.finalLayerNorm);
      }
      return hidden;
    },
  };

  const unetInputs = new Set(graphs.unet.inputs);
  const unet: UnetRunner = {
    inChannels: graphs.unet.inChannels,
    acceptsIpTokens: unetInputs.has(IO.unetIpTokens),
    crossAttentionLayers: graphs.unet.crossAttentionLayers,
    async run(input: UnetInput) {
      const [batch] = input.sampleShape;
      const crossDim = input.encoderHiddenStates.length / (batch * input.tokens);
      const feeds: Record<string, ort.Tensor> = {
        [IO.unetSample]: new ort.Tensor('float32', input.sample, [...input.sampleShape]),
        [IO.unetTimestep]: new ort.Tensor('float32', Float32Array.of(input.timestep), [1]),
        [IO.unetText]: new ort.Tensor('float32', input.encoderHiddenStates, [batch, input.tokens, crossDim]),
      };
      if (unetInputs.has(IO.unetIpTokens)) {
        // A FaceID graph without a face this time: zero tokens at scale 0 leave the UNet exactly as without adapter.
        const ip = input.ip ?? { tokens: new Float32Array(batch * crossDim), count: 1, scale: new Float32Array(graphs.unet.crossAttentionLayers) };
        feeds[IO.unetIpTokens] = new ort.Tensor('float32', ip.tokens, [batch, ip.count, crossDim]);
        feeds[IO.unetIpScale] = new ort.Tensor('float32', ip.scale, [ip.scale.length]);
      }
      if (unetInputs.has(IO.unetLoraStrengths)) {
        feeds[IO.unetLoraStrengths] = new ort.Tensor('float32', Float32Array.from(options.loraStrengths ?? []), [options.loraStrengths?.length ?? 0]);
      }
      return run(pool, graphs.unet.path, feeds, IO.unetOut);
    },
  };

  const vae: VaeRunner = {
    scalingFactor: graphs.vaeScalingFactor,
    async encode(image, height, width) {
      const { session } = await pool.get(graphs.vaeEncoder.path);
      const results = await session.run({ [IO.vaeEncIn]: new ort.Tensor('float32', image, [1, 3, height, width]) }, [IO.vaeMean, IO.vaeStd]);
      return { mean: new Float32Array(results[IO.vaeMean]!.data as Float32Array), std: new Float32Array(results[IO.vaeStd]!.data as Float32Array) };
    },
    async decode(latent, h, w) {
      return run(pool, graphs.vaeDecoder.path, { [IO.vaeDecIn]: new ort.Tensor('float32', latent, [1, 4, h, w]) }, IO.vaeDecOut);
    },
  };

  return { textEncoder, unet, vae };
}
