// The fixture folder's tiny SD1.5 compiled once per process and per source form, shared by the golden suites:
// the diffusers folder, the original-LDM single file and its fp16 copy (configs from the diffusers folder,
// as a user of an unusual-width single file would give them), each with and without the FaceID adapter.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readTensorBytes } from '../../src-main/engine/io/descriptors.ts';
import { resolveLora } from '../../src-main/engine/io/lora.ts';
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';
import { unetNameToLdm, upLevelsWithAttention } from '../../src-main/engine/io/unet-layout.ts';
import { openCheckpoint } from '../../src-main/engine/io/checkpoint.ts';
import type { AttentionKernel } from '../../src-main/engine/graph/layers.ts';
import { compileModel, type CompiledModel } from '../../src-main/engine/models/compile.ts';
import { EXECUTION_PROVIDERS, providerSpec } from '../../src-main/engine/onnx/execution-providers.ts';
import { writeSafetensorsFile, type TestTensor } from '../helpers/write-safetensors.ts';

export type FixtureSource = 'diffusers' | 'ldm' | 'ldm-fp16';

// Each checkpoint form with the goldens it is compared with: the fp16 copy against what the reference computes from
// that same fp16 file with fp32 arithmetic (`<stem>_fp16w`, fixtures README §3), at the fp32 tolerances — the fp32
// goldens are no reference for rounded weights.
export const FIXTURE_SOURCES: readonly { source: FixtureSource; label: string; goldenSuffix: '' | '_fp16w' }[] = [
  { source: 'diffusers', label: 'diffusers', goldenSuffix: '' },
  { source: 'ldm', label: 'ldm', goldenSuffix: '' },
  { source: 'ldm-fp16', label: 'fp16', goldenSuffix: '_fp16w' },
];

/** The golden file `stem` (e.g. `unet`) for a fixture source: its `_fp16w` twin for the fp16 copy. */
export function goldenFile(fixtures: string, stem: string, goldenSuffix: '' | '_fp16w'): string {
  return path.join(fixtures, 'goldens', `${stem}${goldenSuffix}.safetensors`);
}

/**
 * Where the goldens run: GOLDEN_PROVIDER names an execution provider of the table (default cpu; `npm run gpu-check`
 * sets cuda and the like) — sessions are opened with it alone, so a provider that fails fails the suite instead of
 * falling back — GOLDEN_COMPUTE=fp16 compiles fp16-compute graphs (compile.ts `compute`), and GOLDEN_ATTENTION=fused
 * or unfused builds the UNet's and VAE's attention that way (compile.ts `attention`; unset: the compiler's default).
 */
export const GOLDEN_PROVIDER = process.env.GOLDEN_PROVIDER ?? 'cpu';
const GOLDEN_COMPUTE = process.env.GOLDEN_COMPUTE === 'fp16' ? ({ compute: 'fp16' } as const) : {};
const GOLDEN_ATTENTION = goldenAttention(process.env.GOLDEN_ATTENTION);

function goldenAttention(value: string | undefined): { attention?: AttentionKernel } {
  if (value === undefined || value === '') return {};
  if (value !== 'fused' && value !== 'unfused') throw new Error(`GOLDEN_ATTENTION=${value}: expected fused or unfused`);
  return { attention: value };
}

/** The compile options GOLDEN_COMPUTE and GOLDEN_ATTENTION ask for, for suites that compile on their own. */
export function goldenCompileOptions(): { compute?: 'fp16'; attention?: AttentionKernel } {
  return { ...GOLDEN_COMPUTE, ...GOLDEN_ATTENTION };
}

/** What a SessionPool in a golden suite tries before CPU. */
export function goldenPreferredProviders(): string[] {
  return GOLDEN_PROVIDER === 'cpu' ? [] : [GOLDEN_PROVIDER];
}

const compiled = new Map<string, Promise<CompiledModel>>();
const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function configsOf(fixtures: string): Promise<Record<string, Record<string, unknown>>> {
  const configs: Record<string, Record<string, unknown>> = {};
  for (const component of ['unet', 'vae', 'text_encoder']) {
    configs[component] = JSON.parse(await readFile(path.join(fixtures, 'sd15-tiny', component, 'config.json'), 'utf8')) as Record<string, unknown>;
  }
  return configs;
}

function checkpointOf(fixtures: string, source: FixtureSource): string {
  if (source === 'diffusers') return path.join(fixtures, 'sd15-tiny');
  return path.join(fixtures, source === 'ldm' ? 'sd15-tiny.safetensors' : 'sd15-tiny.fp16.safetensors');
}

export const FACEID_ADAPTER = path.join('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin');
/** The same FaceID LoRA as kohya-named .safetensors, without and with `.alpha` (= rank). */
export const KOHYA_FACEID_LORAS = [
  path.join('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'),
  path.join('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora_with_alpha.safetensors'),
];

/**
 * The first kohya FaceID LoRA renamed to A1111's original-LDM module names (`lora_unet_input_blocks_1_1_…`), written
 * once per process into a temp folder; returns its absolute path. The fixture has no such file, users do.
 */
let ldmNamedLora: Promise<string> | undefined;
export function ldmNamedFaceIdLora(fixtures: string): Promise<string> {
  ldmNamedLora ??= (async () => {
    const source = path.join(fixtures, KOHYA_FACEID_LORAS[0]!);
    const checkpoint = await openCheckpoint(path.join(fixtures, 'sd15-tiny'));
    const lora = await resolveLora(source, (await readSafetensors(source)).tensors, checkpoint);
    const levels = upLevelsWithAttention(checkpoint.tensors.keys());
    const tensors: Record<string, TestTensor> = {};
    for (const entry of lora.entries) {
      const ldm = unetNameToLdm(entry.target.slice('unet.'.length), levels);
      if (!ldm) throw new Error(`${entry.target} has no original-LDM name`);
      const module = `lora_unet_${ldm.slice(0, -'.weight'.length).replaceAll('.', '_')}`;
      for (const [part, tensor] of [['lora_down', entry.down], ['lora_up', entry.up]] as const) {
        if (tensor.dtype !== 'F16' && tensor.dtype !== 'F32') throw new Error(`${tensor.name}: ${tensor.dtype} is not written by the test helper`);
        tensors[`${module}.${part}.weight`] = { dtype: tensor.dtype, shape: tensor.shape, data: await readTensorBytes(tensor) };
      }
    }
    // One fixed path (the compile cache then replaces, not accumulates, its compilation); written aside and renamed
    // so that concurrent golden runs never read a half-written file.
    const dir = path.join(tmpdir(), 'faceid-golden-ldm-lora');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'ip-adapter-faceid_sd15_tiny_lora_ldm_names.safetensors');
    await writeSafetensorsFile(`${file}.${process.pid}`, tensors);
    await rename(`${file}.${process.pid}`, file);
    return file;
  })();
  return ldmNamedLora;
}

/** Compiles (memoised) the fixture model from `source`, with the FaceID adapter when `adapter`; `unet`: a UNet taking
 *  ControlNet residuals or T2I-Adapter features. */
export function compiledFixture(fixtures: string, source: FixtureSource, adapter: boolean, loras: readonly string[] = [], unet: { controlResiduals?: boolean; adapterFeatures?: boolean } = {}): Promise<CompiledModel> {
  const key = `${fixtures}|${source}|${adapter}|${loras.join(',')}|${JSON.stringify(unet)}`;
  let result = compiled.get(key);
  if (!result) {
    result = (async () => {
      const imageEncoder = path.join(fixtures, 'ipadapter-tiny', 'image_encoder');
      return compileModel(checkpointOf(fixtures, source), {
        cacheDir: path.join(tmpdir(), 'faceid-golden-compile-cache'),
        ...goldenCompileOptions(),
        ...(source === 'diffusers' ? {} : { configs: await configsOf(fixtures) }),
        ...(adapter ? { adapter: path.join(fixtures, FACEID_ADAPTER) } : {}),
        ...(adapter && existsSync(imageEncoder) ? { imageEncoder } : {}),
        ...(loras.length > 0 ? { loras: loras.map((l) => ({ file: path.resolve(fixtures, l) })) } : {}),
        ...unet,
      });
    })();
    compiled.set(key, result);
  }
  return result;
}

/** One session per compiled graph path, reused across suites. */
export function sessionFor(modelPath: string): Promise<ort.InferenceSession> {
  let session = sessions.get(modelPath);
  if (!session) {
    const provider = providerSpec(GOLDEN_PROVIDER);
    if (!provider) throw new Error(`GOLDEN_PROVIDER=${GOLDEN_PROVIDER} is not one of ${EXECUTION_PROVIDERS.map((p) => p.name).join(', ')}`);
    session = ort.InferenceSession.create(modelPath, {
      graphOptimizationLevel: (process.env.GOLDEN_OPT as 'all') ?? 'all',
      intraOpNumThreads: 2,
      executionProviders: [provider.config],
      ...provider.sessionOptions,
    });
    sessions.set(modelPath, session);
  }
  return session;
}

export function floatTensor(tensor: { data: Float32Array; shape: readonly number[] }): ort.Tensor {
  return new ort.Tensor('float32', tensor.data, tensor.shape.length === 0 ? [1] : [...tensor.shape]);
}

export function filled(length: number, value: number): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(length).fill(value), [length]);
}

/**
 * A golden's `encoder_hidden_states_concat` (text ⊕ IP tokens along the sequence, as the reference feeds its
 * processors) taken apart into the two inputs our UNet graph has; `textTokens` from the plain golden.
 */
export function splitTextAndIp(concat: { data: Float32Array; shape: readonly number[] }, textTokens: number): { text: ort.Tensor; ipTokens: ort.Tensor } {
  const [batch, tokens, width] = concat.shape as [number, number, number];
  const ipCount = tokens - textTokens;
  const text = new Float32Array(batch * textTokens * width);
  const ipTokens = new Float32Array(batch * ipCount * width);
  for (let b = 0; b < batch; b++) {
    text.set(concat.data.subarray(b * tokens * width, (b * tokens + textTokens) * width), b * textTokens * width);
    ipTokens.set(concat.data.subarray((b * tokens + textTokens) * width, (b + 1) * tokens * width), b * ipCount * width);
  }
  return { text: floatTensor({ data: text, shape: [batch, textTokens, width] }), ipTokens: floatTensor({ data: ipTokens, shape: [batch, ipCount, width] }) };
}

/** The SDXL set beside the SD1.5 one (fixtures/sdxl, its own README); absent in a fixture folder without SDXL. */
export function sdxlFolder(fixtures: string): string | undefined {
  const folder = path.join(fixtures, 'sdxl');
  return existsSync(path.join(folder, 'sdxl-tiny')) ? folder : undefined;
}

export const SDXL_SOURCES = ['diffusers', 'ldm'] as const;
export type SdxlSource = (typeof SDXL_SOURCES)[number];

/**
 * Compiles (memoised) the tiny SDXL from its diffusers folder or its single file (configs from the folder, as a user
 * of an unusual-width single file gives them), with an adapter and LoRA files when asked.
 */
export function compiledSdxlFixture(sdxl: string, source: SdxlSource, adapter?: string, loras: readonly string[] = []): Promise<CompiledModel> {
  const key = `sdxl|${sdxl}|${source}|${adapter ?? ''}|${loras.join(',')}`;
  let result = compiled.get(key);
  if (!result) {
    result = (async () => {
      const folder = path.join(sdxl, 'sdxl-tiny');
      const configs: Record<string, Record<string, unknown>> = {};
      if (source === 'ldm') {
        for (const component of ['unet', 'vae', 'text_encoder', 'text_encoder_2']) {
          configs[component] = JSON.parse(await readFile(path.join(folder, component, 'config.json'), 'utf8')) as Record<string, unknown>;
        }
      }
      return compileModel(source === 'diffusers' ? folder : path.join(sdxl, 'sdxl-tiny.safetensors'), {
        cacheDir: path.join(tmpdir(), 'faceid-golden-compile-cache'),
        ...goldenCompileOptions(),
        ...(source === 'ldm' ? { configs } : {}),
        ...(adapter ? { adapter: path.join(sdxl, adapter) } : {}),
        ...(loras.length > 0 ? { loras: loras.map((l) => ({ file: path.resolve(sdxl, l) })) } : {}),
      });
    })();
    compiled.set(key, result);
  }
  return result;
}
