// What the pipeline needs from the networks, as plain float32 tensors. The ORT adapter (ort-runners.ts) implements
// these over the compiled graphs; tests can implement them over recorded tensors.

export interface TextEncoderRunner {
  /** Width of one token's hidden state (768 for SD1.5, 64 for the tiny fixture). */
  readonly hiddenSize: number;
  /**
   * Hidden states [batch, tokens, hiddenSize] for int ids [batch, tokens]. clipSkip as A1111 counts it: 1 = last layer
   * (after the final LayerNorm), 2 = the layer before it, passed through the final LayerNorm as A1111 and diffusers do.
   */
  encode(ids: readonly number[], batch: number, clipSkip: number): Promise<Float32Array>;
}

export interface UnetInput {
  /** Latents [batch, inChannels, h, w]. */
  readonly sample: Float32Array;
  readonly sampleShape: readonly [number, number, number, number];
  readonly timestep: number;
  /** Text conditioning [batch, tokens, crossDim]. */
  readonly encoderHiddenStates: Float32Array;
  readonly tokens: number;
  /** IP-Adapter tokens [batch, ipTokens, crossDim] and one λ per cross-attention layer (FaceID). */
  readonly ip?: { readonly tokens: Float32Array; readonly count: number; readonly scale: Float32Array };
}

export interface UnetRunner {
  readonly inChannels: number;
  /** Whether the graph has the `ip_tokens`/`ip_scale` inputs (compiled with an IP-Adapter). */
  readonly acceptsIpTokens: boolean;
  /** Cross-attention layers (length of the per-layer `ip_scale`). */
  readonly crossAttentionLayers: number;
  /** Predicted noise (or v) [batch, 4, h, w]. */
  run(input: UnetInput): Promise<Float32Array>;
}

export interface VaeRunner {
  /** Latent scale (0.18215 for SD1.5). */
  readonly scalingFactor: number;
  /** Image [1, 3, H, W] in [−1, 1] → latent distribution mean and std [1, 4, H/8, W/8] (unscaled). */
  encode(image: Float32Array, height: number, width: number): Promise<{ mean: Float32Array; std: Float32Array }>;
  /** Raw latent [1, 4, h, w] (already ÷ scalingFactor) → image [1, 3, 8h, 8w] in about [−1, 1]. */
  decode(latent: Float32Array, height: number, width: number): Promise<Float32Array>;
}

export interface DiffusionRunners {
  readonly textEncoder: TextEncoderRunner;
  readonly unet: UnetRunner;
  readonly vae: VaeRunner;
}
