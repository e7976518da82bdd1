// What the pipeline needs from the networks, as plain float32 tensors. The ORT adapter (ort-runners.ts) implements
// these over the compiled graphs; tests can implement them over recorded tensors.

export interface TextEncoding {
  /** Hidden states [batch, tokens, hiddenSize]: the state the architecture conditions on. */
  readonly hidden: Float32Array;
  /** Projected pooled output [batch, pooledSize] (an encoder with `pooledSize`). */
  readonly pooled?: Float32Array;
}

/** A vector that takes the place of a token's embedding (a textual-inversion vector), at a position of the ids. */
export interface TokenVector {
  /** Index into the flat [batch, tokens] ids. */
  readonly position: number;
  /** hiddenSize values. */
  readonly vector: Float32Array;
}

export interface TextEncoderRunner {
  /** Width of one token's hidden state (768 for SD1.5's CLIP-L, 1280 for SDXL's bigG, 64 for a tiny fixture). */
  readonly hiddenSize: number;
  /** Width of the pooled text embedding when this encoder gives the UNet one (SDXL's second encoder). */
  readonly pooledSize?: number;
  /**
   * Hidden states for int ids [batch, tokens]. clipSkip as A1111 counts it (1 = last layer after the final LayerNorm,
   * 2 = the layer before it, through the final LayerNorm as A1111 and diffusers do) where the architecture uses it;
   * an encoder fixed to the penultimate layer (SDXL) ignores it. `vectors` replace the token embeddings at their positions.
   */
  encode(ids: readonly number[], batch: number, clipSkip: number, vectors?: readonly TokenVector[]): Promise<TextEncoding>;
}

/** SDXL's added conditioning for the whole UNet batch: pooled text [batch, P] and the six size/crop ids [batch, 6]. */
export interface AddedConditioningInput {
  readonly textEmbeds: Float32Array;
  readonly timeIds: Float32Array;
}

/** ControlNet-style residuals: one per UNet skip connection (push order) and one for the mid block, NCHW. */
export interface UnetResiduals {
  readonly down: readonly { readonly data: Float32Array; readonly shape: readonly [number, number, number, number] }[];
  readonly mid: { readonly data: Float32Array; readonly shape: readonly [number, number, number, number] };
}

export interface UnetInput {
  /** Latents [batch, inChannels, h, w]. */
  readonly sample: Float32Array;
  readonly sampleShape: readonly [number, number, number, number];
  readonly timestep: number;
  /** Text conditioning [batch, tokens, crossDim]. */
  readonly encoderHiddenStates: Float32Array;
  readonly tokens: number;
  /** Pooled text and time ids (a UNet with `takesAddedConditioning`). */
  readonly added?: AddedConditioningInput;
  /** IP-Adapter tokens [batch, ipTokens, crossDim] and one λ per cross-attention layer (FaceID). */
  readonly ip?: { readonly tokens: Float32Array; readonly count: number; readonly scale: Float32Array };
  /** Residuals to add (a UNet with `takesResiduals`). */
  readonly residuals?: UnetResiduals;
  /** T2I-Adapter features, one per down level [batch, c, h, w] (a UNet with `takesAdapterFeatures`). */
  readonly adapterFeatures?: UnetResiduals['down'];
}

export interface UnetRunner {
  readonly inChannels: number;
  /** Whether the graph has the `ip_tokens`/`ip_scale` inputs (compiled with an IP-Adapter). */
  readonly acceptsIpTokens: boolean;
  /** Whether the graph takes SDXL's `text_embeds`/`time_ids`. */
  readonly takesAddedConditioning: boolean;
  /** Whether the graph takes control residuals (compiled for ControlNet). */
  readonly takesResiduals: boolean;
  /** Whether the graph takes T2I-Adapter features. */
  readonly takesAdapterFeatures: boolean;
  /** Cross-attention layers (length of the per-layer `ip_scale`). */
  readonly crossAttentionLayers: number;
  /** Predicted noise (or v) [batch, 4, h, w]. */
  run(input: UnetInput): Promise<Float32Array>;
}

export interface ControlNetInput {
  /** The UNet's latent input this step [batch, 4, h, w] and its timestep and text (the text only: no IP tokens). */
  readonly sample: Float32Array;
  readonly sampleShape: readonly [number, number, number, number];
  readonly timestep: number;
  readonly encoderHiddenStates: Float32Array;
  readonly tokens: number;
  /** The control image for each row of the batch [batch, c, 8h, 8w] in [0, 1]. */
  readonly image: Float32Array;
  readonly imageChannels: number;
  readonly scale: number;
  /** SDXL's added conditioning, for an SDXL ControlNet (the same as the UNet's). */
  readonly added?: AddedConditioningInput;
}

export interface ControlNetRunner {
  /** The residuals for the UNet, already × scale. */
  run(input: ControlNetInput): Promise<UnetResiduals>;
}

export interface T2IAdapterRunner {
  /** The image channels the adapter takes (3 for RGB adapters, 1 for sketch/canny ones). */
  readonly imageChannels: number;
  /** The control image [1, c, H, W] in [0, 1] → one feature per down level, unscaled (run once per job). */
  run(image: Float32Array, height: number, width: number): Promise<UnetResiduals['down']>;
}

/** A TAESD decoder: the UNet's latent [1, 4, h, w] as it is → image [1, 3, 8h, 8w] in [0, 1] (clamped). */
export interface PreviewDecoderRunner {
  decode(latent: Float32Array, height: number, width: number): Promise<Float32Array>;
}

export interface VaeRunner {
  /** Latent scale (0.18215 for SD1.5, 0.13025 for SDXL). */
  readonly scalingFactor: number;
  /** Image [1, 3, H, W] in [−1, 1] → latent distribution mean and std [1, 4, H/8, W/8] (unscaled). */
  encode(image: Float32Array, height: number, width: number): Promise<{ mean: Float32Array; std: Float32Array }>;
  /** Raw latent [1, 4, h, w] (already ÷ scalingFactor) → image [1, 3, 8h, 8w] in about [−1, 1]. */
  decode(latent: Float32Array, height: number, width: number): Promise<Float32Array>;
}

export interface DiffusionRunners {
  /** In the order their hidden states are concatenated (the architecture recipe's). */
  readonly textEncoders: readonly TextEncoderRunner[];
  readonly unet: UnetRunner;
  readonly vae: VaeRunner;
}
