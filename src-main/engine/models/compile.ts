// compileModel: a user's SD1.5 or SDXL checkpoint (+ optional IP-Adapter FaceID file, CLIP image encoder and LoRAs)
// → onnxruntime graphs in a cache folder, built as the architecture's recipe (models/architectures.ts) says, weights left in the user's files (external data via hard links; see
// graph/external-data.ts for the fallback). Compiled graphs are reused while the sources (path, size, mtime),
// the options and COMPILER_VERSION are unchanged.
//
//   const compiled = await compileModel('/models/sd15.safetensors', {
//     cacheDir, adapter: '/models/ip-adapter-faceid_sd15.bin', loras: ['/loras/style.safetensors'],
//     onProgress: (p) => …, signal });
//   compiled.unet.path, compiled.unet.inputs, compiled.loras[i].label (strength i goes to lora_strengths[i]) …
//
// Runtime inputs of the graphs (names in UNET_INPUTS, TEXT_ENCODER_OUTPUTS, VAE_*_IO, CLIP_VISION_IO):
//   text_encoder(_2): input_ids int64 [B, T] (+ token_vectors [B, T, hidden], token_vector_mask bool [B, T, 1]) → last_hidden_state, penultimate_hidden_state [B, T, hidden]
//         (+ text_embeds [B, projection] for an encoder with a text projection)
//   unet: sample [B,inChannels,h,w] (4, or 9 = latents ⊕ mask ⊕ masked-image latents for inpainting), timestep [1]|[B], encoder_hidden_states [B, T, C]
//         (+ text_embeds [B, P], time_ids [B, 6] for SDXL) (+ ip_tokens [B, N, C], ip_scale [crossAttentionLayers])
//         (+ lora_strengths [loras.length]) → out_sample
//   vae_encoder: sample [B,3,H,W] in [-1,1] → latent_mean, latent_logvar, latent_std (raw, ×scalingFactor is the caller's)
//   vae_decoder: latent [B,4,h,w] (raw = latents / scalingFactor) → sample [B,3,8h,8w] in about [-1,1]
//   image_encoder: pixel_values [B,3,S,S] → penultimate_hidden_state [B, 1+(S/p)², hidden]
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import type { PipelineArchitecture } from '../io/architecture.ts';
import { openCheckpoint, type Checkpoint } from '../io/checkpoint.ts';
import { openVaeFile, type OpenedVae } from '../io/vae-file.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { openIpAdapter } from '../io/ipadapter.ts';
import { resolveLora } from '../io/lora.ts';
import { readTensorFile } from '../io/tensor-file.ts';
import { placeWeights } from '../graph/external-data.ts';
import { toFp16Compute } from '../graph/fp16-compute.ts';
import type { GraphBuilder } from '../graph/graph-builder.ts';
import type { AttentionKernel } from '../graph/layers.ts';
import { LoraSet, LORA_STRENGTHS_INPUT, type LoraSource } from '../graph/lora.ts';
import { WeightMap } from '../graph/weight-map.ts';
import { buildClipText, TEXT_ENCODER_OUTPUTS } from './clip-text.ts';
import { buildClipVision, CLIP_VISION_IO } from './clip-vision.ts';
import { ARCHITECTURES, recipeOf, type ArchitectureRecipe, type BaseModel, type TextEncoderComponent } from './architectures.ts';
import { clipTextConfig, clipVisionConfig, unetConfig, UNetConfigSchema, vaeConfig, type ConfigJson, type UNetConfig, type VaeConfig } from './config.ts';
import { ipAdapterForUNet, type IpAdapterVariant } from './ip-adapter.ts';
import { attentionProcessors, buildUNet, UNET_INPUTS, UNET_OUTPUT } from './unet.ts';
import { buildVaeDecoder, buildVaeEncoder, VAE_DECODER_IO, VAE_ENCODER_IO } from './vae.ts';

/** The attention the UNet and VAE are compiled with unless asked otherwise: fused, measured faster and ten times
 *  leaner (GraphBuilder.fusedAttention). */
export const DEFAULT_ATTENTION: AttentionKernel = 'fused';

/** Bump when graphs change meaning or layout: every cached compilation is rebuilt. */
export const COMPILER_VERSION = '5-initializer-nodes-first';

export type ComponentName = TextEncoderComponent | 'unet' | 'vae_encoder' | 'vae_decoder' | 'image_encoder';
export type ConfigComponent = 'unet' | 'vae' | TextEncoderComponent | 'image_encoder';

/** Each compiled graph (COMPONENT.onnx in the cache) as the user knows it. */
const COMPONENT_LABELS: Readonly<Record<ComponentName, string>> = {
  text_encoder: 'text encoder',
  text_encoder_2: 'second text encoder',
  unet: 'UNet',
  vae_encoder: 'VAE encoder',
  vae_decoder: 'VAE decoder',
  image_encoder: 'CLIP image encoder',
};

/** "UNet" for …/unet.onnx; the file name for a graph that is not one of a model's components. */
export function compiledGraphLabel(graphPath: string): string {
  const name = path.basename(graphPath, '.onnx');
  return Object.hasOwn(COMPONENT_LABELS, name) ? COMPONENT_LABELS[name as ComponentName] : name;
}

export interface CompileProgress {
  readonly component: ComponentName | 'weights';
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

export interface CompileOptions {
  readonly cacheDir: string;
  /** IP-Adapter FaceID file (.bin or .safetensors): adds ip_tokens/ip_scale to the UNet and its FaceID LoRA. */
  readonly adapter?: string;
  /** CLIP image encoder (HF folder or file) for FaceID-Plus: compiled as image_encoder. */
  readonly imageEncoder?: string;
  /**
   * LoRA files (kohya/A1111 .safetensors), as paths or { file, strength }: strengths are runtime inputs
   * (`lora_strengths`), `strength` is only recorded as the suggested default.
   */
  readonly loras?: readonly (string | LoraRequest)[];
  /** config.json contents overriding/complementing what shapes give (needed for unusual widths). */
  readonly configs?: Partial<Record<ConfigComponent, ConfigJson>>;
  /** A UNet that takes ControlNet residuals (down_residual_K, mid_residual): for jobs with control units. */
  readonly controlResiduals?: boolean;
  /** A UNet that takes T2I-Adapter features (adapter_feature_K): for jobs with T2I-Adapter units. */
  readonly adapterFeatures?: boolean;
  /**
   * The UNet's and VAE's attention as onnxruntime's fused MultiHeadAttention (default; see GraphBuilder.fusedAttention
   * for the measurement) or as MatMul → Softmax → MatMul. fp16 compute keeps the unfused form: its pass keeps the
   * softmax in fp32, and the CPU's fused op runs in fp32 only.
   */
  readonly attention?: AttentionKernel;
  /** A VAE file or folder to use instead of the checkpoint's own (A1111's "SD VAE"). */
  readonly vae?: string;
  /**
   * 'fp16': the UNet and the text and image encoders compute in fp16, for GPUs (graph/fp16-compute.ts: softmax,
   * GroupNorm and the timestep embedding stay fp32, inputs and outputs fp32); the VAE stays fp32 as diffusers
   * upcasts it. Default 'fp32'.
   */
  readonly compute?: 'fp32' | 'fp16';
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CompileProgress) => void;
}

export interface LoraRequest {
  readonly file: string;
  readonly strength?: number;
}

export interface CompiledGraph {
  readonly path: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface CompiledTextEncoder extends CompiledGraph {
  readonly component: TextEncoderComponent;
  readonly hiddenSize: number;
  /** Width of its `text_embeds` output (an encoder with a text projection). */
  readonly projectionSize?: number;
}

export interface CompiledLora {
  /** Index into the `lora_strengths` input. */
  readonly index: number;
  readonly label: string;
  readonly file: string;
  readonly entries: number;
  /** LoRA tensors of the file that matched no weight or no graph (reported, not fatal when others match). */
  readonly unmatched: number;
  /** The strength asked for at compile time (1 for the FaceID LoRA): a default for the runtime input. */
  readonly defaultStrength: number;
}

export interface CompiledModel {
  /** How the UNet's and VAE's attention was built (CompileOptions.attention). */
  readonly attention: AttentionKernel;
  readonly compilerVersion: string;
  readonly key: string;
  /** Same for every compilation of the same sources and options, whatever their size/mtime: finds superseded ones. */
  readonly sourcesKey: string;
  readonly dir: string;
  readonly checkpoint: string;
  readonly architecture: PipelineArchitecture;
  readonly base: BaseModel;
  /** In the recipe's order (their hidden states are concatenated in it). */
  readonly textEncoders: readonly CompiledTextEncoder[];
  readonly unet: CompiledGraph & {
    readonly crossAttentionLayers: number;
    readonly crossAttentionDim: number;
    readonly inChannels: number;
    readonly config: UNetConfig;
  };
  readonly vaeEncoder: CompiledGraph;
  readonly vaeDecoder: CompiledGraph;
  readonly imageEncoder?: CompiledGraph;
  readonly vaeScalingFactor: number;
  readonly adapter?: { readonly file: string; readonly variant: IpAdapterVariant; readonly tokenDim: number };
  readonly loras: readonly CompiledLora[];
  /** Things the user should know (e.g. weights copied because hard links were impossible). */
  readonly notices: readonly string[];
  /** Bytes the cache folder uses (graphs + any copied weights; hard links and the manifest not counted). */
  readonly diskBytes: number;
  readonly compileSeconds: number;
  readonly fromCache: boolean;
}

const MANIFEST = 'manifest.json';

/** The checkpoint with its VAE tensors replaced by a separate VAE's (and that VAE's config, when it has one). */
function withVae(checkpoint: Checkpoint, vae: OpenedVae | undefined): Checkpoint & { vaeConfig?: Record<string, unknown> } {
  if (!vae) return checkpoint;
  const tensors = new Map([...checkpoint.tensors].filter(([name]) => !name.startsWith('vae.')));
  for (const [name, descriptor] of vae.tensors) tensors.set(name, descriptor);
  return { ...checkpoint, tensors, ...(vae.config ? { vaeConfig: vae.config } : {}) };
}

/**
 * Refuses a separate VAE the checkpoint cannot use, naming why: another latent width (SD3/Flux VAEs have 16
 * channels), or a config whose latent scale is the other base's (an SDXL VAE folder on an SD1.5 checkpoint). SD1.5's
 * and SDXL's VAE files share one layout, so a bare file without a config passes, as in A1111.
 */
function checkVaeFits(source: string, vae: VaeConfig, unet: UNetConfig, hasOwnConfig: boolean, recipe: ArchitectureRecipe, checkpoint: string): void {
  const what = path.basename(source);
  if (vae.latentChannels !== unet.outChannels) {
    throw new StudioError('compile.wrong-base', {
      userMessage: `${what} is a VAE with ${vae.latentChannels} latent channels; ${checkpoint} (${recipe.label}) works in ${unet.outChannels}.`,
      hint: `Choose a VAE made for ${recipe.label} (or Automatic, the checkpoint's own).`,
    });
  }
  const other = Object.values(ARCHITECTURES).find((r) => r.base !== recipe.base && r.vaeScalingFactor === vae.scalingFactor);
  if (hasOwnConfig && vae.scalingFactor !== recipe.vaeScalingFactor && other) {
    throw new StudioError('compile.wrong-base', {
      userMessage: `${what} is ${other.label}'s VAE (its config scales latents by ${vae.scalingFactor}); ${checkpoint} is ${recipe.label}, whose VAE scales by ${recipe.vaeScalingFactor}.`,
      hint: `Choose a VAE made for ${recipe.label} (for SD1.5 e.g. sd-vae-ft-mse), or Automatic, the checkpoint's own.`,
    });
  }
}

/** Reads a config.json; a damaged one is the user's to fix, so it is a StudioError naming the file. */
export async function readConfigFile(file: string | undefined): Promise<ConfigJson | undefined> {
  if (!file) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ConfigJson;
  } catch (cause) {
    throw new StudioError('checkpoint.bad-header', { userMessage: `${file} is not a readable JSON config file.`, hint: 'Restore the file from the model download.', cause });
  }
}

const CONFIG_COMPONENTS: readonly ConfigComponent[] = ['unet', 'vae', 'text_encoder', 'text_encoder_2', 'image_encoder'];

/** config.json of each component in a diffusers-style folder (DIR/unet/config.json, …): the settings a single file's
 *  weights cannot give (attention heads of a model with unusual widths), taken from a folder of the same model. */
export async function readConfigFolder(folder: string): Promise<Partial<Record<ConfigComponent, ConfigJson>>> {
  const configs: Partial<Record<ConfigComponent, ConfigJson>> = {};
  for (const component of CONFIG_COMPONENTS) {
    const file = path.join(folder, component, 'config.json');
    const config = existsSync(file) ? await readConfigFile(file) : undefined;
    if (config) configs[component] = config;
  }
  if (Object.keys(configs).length === 0) {
    throw new StudioError('invalid-request', { userMessage: `${folder} holds no unet/, vae/ or text_encoder/ config.json.`, hint: 'Give a diffusers model folder of the same architecture.' });
  }
  return configs;
}

async function fileIdentity(file: string): Promise<string> {
  const info = await stat(file);
  return `${path.resolve(file)}|${info.size}|${info.mtimeMs}`;
}

/** Opens the CLIP image encoder: an HF folder (config.json + model.safetensors) or a weights file. */
async function openImageEncoder(source: string): Promise<{ tensors: Map<string, TensorDescriptor>; config?: ConfigJson; files: string[] }> {
  const isFolder = (await stat(source)).isDirectory();
  const file = isFolder ? ['model.safetensors', 'pytorch_model.bin'].map((f) => path.join(source, f)).find((f) => existsSync(f)) : source;
  if (!file) {
    throw new StudioError('checkpoint.not-found', { userMessage: `${source} has no model.safetensors or pytorch_model.bin.`, hint: 'Choose the image_encoder folder of the IP-Adapter download.' });
  }
  const index = await readTensorFile(file);
  const tensors = new Map<string, TensorDescriptor>();
  for (const [name, d] of index.tensors) tensors.set(`image_encoder.${name}`, { ...d, name: `image_encoder.${name}` });
  const configFile = path.join(isFolder ? source : path.dirname(source), 'config.json');
  const config = existsSync(configFile) ? await readConfigFile(configFile) : undefined;
  return { tensors, files: [file], ...(config ? { config } : {}) };
}

/** Compiles (or finds in the cache) every graph of a checkpoint. */
export async function compileModel(checkpointPath: string, options: CompileOptions): Promise<CompiledModel> {
  const started = performance.now();
  const { signal } = options;
  const progress = (component: CompileProgress['component'], done: number, total: number, message: string) => options.onProgress?.({ component, done, total, message });

  // openCheckpoint refuses every architecture without a recipe; inpainting UNets differ only in conv_in's input
  // channels (9: latents, mask, masked-image latents), read from shapes.
  const checkpoint = withVae(await openCheckpoint(checkpointPath), options.vae ? await openVaeFile(options.vae) : undefined);
  const recipe = recipeOf(checkpoint.architecture);
  const adapterIndex = options.adapter ? await openIpAdapter(options.adapter) : undefined;
  const imageEncoder = options.imageEncoder ? await openImageEncoder(options.imageEncoder) : undefined;
  const loraIndexes = await Promise.all((options.loras ?? []).map((l) => (typeof l === 'string' ? { file: l } : l)).map(async ({ file, strength }) => ({ file, strength: strength ?? 1, index: await readTensorFile(file) })));
  throwIfCancelled(signal, 'Compilation');

  const configs: Partial<Record<ConfigComponent, ConfigJson>> = {};
  for (const component of ['unet', 'vae', ...recipe.textEncoders.map((t) => t.component)] as const) {
    const config = options.configs?.[component] ?? (await readConfigFile(checkpoint.configFiles?.[component]));
    if (config) configs[component] = config;
  }
  if (checkpoint.vaeConfig) configs.vae = checkpoint.vaeConfig as ConfigJson;
  const imageConfig = options.configs?.image_encoder ?? imageEncoder?.config;
  if (imageConfig) configs.image_encoder = imageConfig;

  const sources = [
    ...new Set([...checkpoint.tensors.values()].map((t) => t.file)),
    ...(adapterIndex ? [adapterIndex.source] : []),
    ...(imageEncoder?.files ?? []),
    ...loraIndexes.map((l) => l.index.file),
  ];
  const isFp16Compute = options.compute === 'fp16';
  // Variants that live side by side with the plain compilation (neither supersedes the other).
  const attention: AttentionKernel = options.attention ?? (isFp16Compute ? 'unfused' : DEFAULT_ATTENTION);
  const fusedAttention = attention === 'fused';
  const variant = { ...(options.vae ? { vae: path.resolve(options.vae) } : {}), ...(isFp16Compute ? { compute: 'fp16' } : {}), ...(fusedAttention ? {} : { attention: 'unfused' }), ...(options.controlResiduals ? { controlResiduals: true } : {}), ...(options.adapterFeatures ? { adapterFeatures: true } : {}) };
  const identity = createHash('sha256')
    .update(JSON.stringify({ v: COMPILER_VERSION, files: await Promise.all(sources.map(fileIdentity)), adapter: options.adapter, loras: loraIndexes.map((l) => l.file), configs, ...variant }))
    .digest('hex')
    .slice(0, 20);
  const sourcesKey = createHash('sha256').update(JSON.stringify({ sources, adapter: options.adapter, configs, ...variant })).digest('hex').slice(0, 20);
  const dir = path.join(options.cacheDir, identity);
  const cached = await readManifest(dir, identity);
  if (cached) {
    progress('weights', 1, 1, 'Using the compiled graphs from the cache');
    const loras = cached.loras.map((l) => ({ ...l, defaultStrength: l.file === adapterIndex?.source ? 1 : (loraIndexes.find((r) => r.file === l.file)?.strength ?? l.defaultStrength) }));
    return { ...cached, loras, fromCache: true, compileSeconds: (performance.now() - started) / 1000 };
  }

  const weights = new WeightMap(checkpoint.tensors, path.basename(checkpoint.source));
  const texts = recipe.textEncoders.map((t) => clipTextConfig(weights, t.component, configs[t.component]));
  const pooled = texts.find((t, i) => recipe.textEncoders[i]!.pooled);
  const unet = unetConfig(weights, 'unet.', configs.unet, pooled?.projectionSize);
  const vae = vaeConfig(weights, 'vae.', configs.vae, recipe.vaeScalingFactor);
  if (options.vae) checkVaeFits(options.vae, vae, unet, checkpoint.vaeConfig !== undefined, recipe, path.basename(checkpoint.source));
  const adapter = adapterIndex ? ipAdapterForUNet(adapterIndex.source, adapterIndex.tensors, unet) : undefined;

  // Every LoRA (the FaceID one inside the adapter file included) is resolved by io/lora.ts: kohya names in diffusers
  // or original-LDM form, diffusers/PEFT, and the .bin's `ip_adapter.N.to_q_lora` pairs.
  const resolve = async (file: string, tensors: ReadonlyMap<string, TensorDescriptor>, label: string): Promise<LoraSource> => {
    const lora = await resolveLora(file, tensors, checkpoint);
    return { label, entries: lora.entries, unmatchedTensors: lora.unmatched.length };
  };
  const adapterLora = adapterIndex?.loraRank !== undefined ? await resolve(adapterIndex.source, adapterIndex.tensors, `${path.basename(adapterIndex.source)} (FaceID LoRA)`) : undefined;
  const matched = await Promise.all(loraIndexes.map((l) => resolve(l.index.file, l.index.tensors, path.basename(l.file))));
  const loraSources: LoraSource[] = [...(adapterLora ? [adapterLora] : []), ...matched];
  const loraFiles = [...(adapterLora ? [adapterIndex!.source] : []), ...loraIndexes.map((l) => l.file)];
  const loraDefaults = [...(adapterLora ? [1] : []), ...loraIndexes.map((l) => l.strength)];
  const loras = new LoraSet(loraSources);

  const builds: { name: ComponentName; build: () => GraphBuilder }[] = [
    ...texts.map((text) => ({ name: text.component as TextEncoderComponent, build: () => buildClipText(weights, text, loras) })),
    { name: 'unet', build: () => buildUNet(weights, unet, { ...(adapter ? { ip: adapter.attention } : {}), loras, fusedAttention, ...(options.controlResiduals ? { controlResiduals: true } : {}), ...(options.adapterFeatures ? { adapterFeatures: true } : {}) }) },
    { name: 'vae_encoder', build: () => buildVaeEncoder(weights, vae, { fusedAttention }) },
    { name: 'vae_decoder', build: () => buildVaeDecoder(weights, vae, { fusedAttention }) },
  ];
  if (imageEncoder) {
    const imageWeights = new WeightMap(imageEncoder.tensors, path.basename(options.imageEncoder!));
    const vision = clipVisionConfig(imageWeights, 'image_encoder.', configs.image_encoder);
    builds.push({ name: 'image_encoder', build: () => buildClipVision(imageWeights, vision) });
  }
  const graphs = new Map<ComponentName, GraphBuilder>();
  builds.forEach(({ name, build }, i) => {
    throwIfCancelled(signal, 'Compilation');
    progress(name, i, builds.length + 1, `Building the ${COMPONENT_LABELS[name]} graph`);
    graphs.set(name, build());
  });

  const unused = loras.unusedCounts();
  loraSources.forEach((source, i) => {
    if (source.entries.length - unused[i]! === 0) {
      throw new StudioError('compile.lora-unmatched', {
        userMessage: `${source.label} matches no layer of ${path.basename(checkpoint.source)}: none of its ${source.unmatchedTensors + 2 * source.entries.length} LoRA tensors found a weight to change.`,
        hint: `The LoRA was made for another base model, or uses key names we do not know. Check that it is an ${recipe.label} LoRA.`,
      });
    }
  });

  const staging = `${dir}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true }).catch((cause: unknown) => {
    throw new StudioError('compile.cache-unwritable', { userMessage: `Cannot create the compiled-model cache folder ${options.cacheDir}: ${(cause as Error).message}`, hint: 'Choose a writable folder for the model cache.', cause });
  });
  try {
    progress('weights', builds.length, builds.length + 1, 'Linking the weights into the cache');
    const placement = await placeWeights(staging, [...graphs.values()], signal);
    const written: Partial<Record<ComponentName, CompiledGraph>> = {};
    for (const [name, g] of graphs) {
      const file = `${name}.onnx`;
      const isVae = name === 'vae_decoder' || name === 'vae_encoder';
      const model = g.toModel({ ...placement, producerVersion: COMPILER_VERSION, metadata: { component: name, checkpoint: path.basename(checkpoint.source), compiler_version: COMPILER_VERSION, ...(isVae ? { scaling_factor: String(vae.scalingFactor) } : {}) } });
      await writeFile(path.join(staging, file), isFp16Compute && !isVae ? toFp16Compute(model) : model);
      written[name] = { path: path.join(dir, file), inputs: g.inputNames(), outputs: g.outputNames() };
    }
    const result: CompiledModel = {
      compilerVersion: COMPILER_VERSION,
      attention,
      key: identity,
      sourcesKey,
      dir,
      checkpoint: checkpoint.source,
      architecture: checkpoint.architecture,
      base: recipe.base,
      textEncoders: texts.map((t) => ({ ...written[t.component as TextEncoderComponent]!, component: t.component as TextEncoderComponent, hiddenSize: t.hiddenSize, ...(t.projectionSize !== undefined ? { projectionSize: t.projectionSize } : {}) })),
      unet: { ...written.unet!, crossAttentionLayers: attentionProcessors(unet).filter((p) => p.cross).length, crossAttentionDim: unet.crossAttentionDim, inChannels: unet.inChannels, config: unet },
      vaeEncoder: written.vae_encoder!,
      vaeDecoder: written.vae_decoder!,
      ...(written.image_encoder ? { imageEncoder: written.image_encoder } : {}),
      vaeScalingFactor: vae.scalingFactor,
      ...(adapter ? { adapter: { file: adapterIndex!.source, variant: adapter.variant, tokenDim: adapter.tokenDim } } : {}),
      loras: loraSources.map((source, index) => ({
        index,
        label: source.label,
        file: loraFiles[index]!,
        entries: source.entries.length,
        unmatched: source.unmatchedTensors + 2 * unused[index]!,
        defaultStrength: loraDefaults[index]!,
      })),
      notices: placement.notices,
      diskBytes: await folderBytes(staging),
      compileSeconds: 0,
      fromCache: false,
    };
    await writeFile(path.join(staging, MANIFEST), JSON.stringify(result, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    await pruneSuperseded(options.cacheDir, sourcesKey, identity);
    progress('weights', builds.length + 1, builds.length + 1, 'Compiled');
    return { ...result, compileSeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function readManifest(dir: string, key: string): Promise<CompiledModel | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as CompiledModel;
    if (manifest.key !== key || manifest.compilerVersion !== COMPILER_VERSION) return undefined;
    // The UNet config drives the runtime (inputs, layer counts): a damaged or hand-edited one means compile again.
    const config = UNetConfigSchema.safeParse(manifest.unet?.config);
    if (!config.success) return undefined;
    const graphs = [...manifest.textEncoders, manifest.unet, manifest.vaeEncoder, manifest.vaeDecoder, manifest.imageEncoder].filter((g) => g !== undefined);
    return graphs.every((g) => existsSync(g.path)) ? { ...manifest, unet: { ...manifest.unet, config: config.data } } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes compilations of the same sources made before a file changed (or by an older compiler): their hard links
 * would otherwise keep the replaced checkpoint's bytes alive on disk.
 */
async function pruneSuperseded(cacheDir: string, sourcesKey: string, keep: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    if (entry === keep) continue;
    try {
      const manifest = JSON.parse(await readFile(path.join(cacheDir, entry, MANIFEST), 'utf8')) as Partial<CompiledModel>;
      if (manifest.sourcesKey === sourcesKey) await rm(path.join(cacheDir, entry), { recursive: true, force: true });
    } catch {
      // Not a compilation folder (or one being written): leave it alone.
    }
  }
}

/** Bytes of the files in `dir` that are not hard links to someone else's file (link count 1). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir)) {
    const info = await stat(path.join(dir, entry));
    if (info.nlink === 1) total += info.size;
  }
  return total;
}

export { CLIP_VISION_IO, LORA_STRENGTHS_INPUT, TEXT_ENCODER_OUTPUTS, UNET_INPUTS, UNET_OUTPUT, VAE_DECODER_IO, VAE_ENCODER_IO };
