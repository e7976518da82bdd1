// One recipe per pipeline architecture: which text encoders condition the UNet and how, what the UNet takes beside
// them, the VAE scale and scheduler a single file without configs gets, and the prompt conventions. The compiler and
// the runtime read these instead of branching on a model name.
import type { PipelineArchitecture } from '../io/architecture.ts';
import type { TextualInversionKey } from '../io/textual-inversion.ts';

export type BaseModel = 'sd15' | 'sdxl';
export type TextEncoderComponent = 'text_encoder' | 'text_encoder_2';

export interface TextEncoderRecipe {
  readonly component: TextEncoderComponent;
  /** The diffusers folder holding its tokenizer. */
  readonly tokenizer: 'tokenizer' | 'tokenizer_2';
  /** The token that pads its prompts: SD1.5's CLIP pads with EOS, SDXL's second tokenizer with "!" (id 0). */
  readonly padToken: 'eos' | '!';
  /**
   * The hidden state that conditions the UNet: SD1.5 the last layer after the final LayerNorm (clip skip picks an
   * earlier one), SDXL the penultimate layer without the final LayerNorm (clip skip does not apply).
   */
  readonly hiddenState: 'clip-skip' | 'penultimate';
  /** Its projected pooled output (`text_embeds`) conditions the UNet too (SDXL's OpenCLIP bigG). */
  readonly pooled: boolean;
  /** The vectors of a textual-inversion file it takes: SD1.5 files hold one set, SDXL files one per encoder. */
  readonly textualInversionKey: TextualInversionKey;
}

export interface ArchitectureRecipe {
  readonly architecture: PipelineArchitecture;
  readonly base: BaseModel;
  readonly label: string;
  /** In the order their hidden states are concatenated along the feature axis. */
  readonly textEncoders: readonly TextEncoderRecipe[];
  /** UNet inputs beyond latents, timestep and text: SDXL's pooled text and size/crop time ids. */
  readonly addedConditioning: 'none' | 'text-time';
  /** An empty negative prompt conditions with zeros (diffusers' force_zeros_for_empty_prompt) instead of encoding "". */
  readonly zerosForEmptyNegative: boolean;
  /** The VAE latent scale when the checkpoint carries no VAE config. */
  readonly vaeScalingFactor: number;
  /** The scheduler config when the checkpoint carries none (betas, spacing, offset as the base model ships them). */
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
  /** The image side the base model was trained at (default size, face-detail crops). */
  readonly nativeSize: number;
}

const CLIP_L: TextEncoderRecipe = { component: 'text_encoder', tokenizer: 'tokenizer', padToken: 'eos', hiddenState: 'clip-skip', pooled: false, textualInversionKey: 'single' };
const SDXL_ENCODERS: readonly TextEncoderRecipe[] = [
  { component: 'text_encoder', tokenizer: 'tokenizer', padToken: 'eos', hiddenState: 'penultimate', pooled: false, textualInversionKey: 'clip_l' },
  { component: 'text_encoder_2', tokenizer: 'tokenizer_2', padToken: '!', hiddenState: 'penultimate', pooled: true, textualInversionKey: 'clip_g' },
];

const SD_BETAS = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon' } as const;
const SD15_SCHEDULER = { ...SD_BETAS, steps_offset: 1, set_alpha_to_one: false, clip_sample: false } as const;
const SDXL_SCHEDULER = { ...SD_BETAS, steps_offset: 1, set_alpha_to_one: false, clip_sample: false, timestep_spacing: 'leading', interpolation_type: 'linear' } as const;

const SD15: Omit<ArchitectureRecipe, 'architecture' | 'label'> = {
  base: 'sd15',
  textEncoders: [CLIP_L],
  addedConditioning: 'none',
  zerosForEmptyNegative: false,
  vaeScalingFactor: 0.18215,
  schedulerConfig: SD15_SCHEDULER,
  nativeSize: 512,
};
const SDXL: Omit<ArchitectureRecipe, 'architecture' | 'label'> = {
  base: 'sdxl',
  textEncoders: SDXL_ENCODERS,
  addedConditioning: 'text-time',
  zerosForEmptyNegative: true,
  vaeScalingFactor: 0.13025,
  schedulerConfig: SDXL_SCHEDULER,
  nativeSize: 1024,
};

export const ARCHITECTURES: Readonly<Record<PipelineArchitecture, ArchitectureRecipe>> = {
  sd15: { ...SD15, architecture: 'sd15', label: 'SD1.5' },
  'sd15-inpaint': { ...SD15, architecture: 'sd15-inpaint', label: 'SD1.5 inpainting' },
  sdxl: { ...SDXL, architecture: 'sdxl', label: 'SDXL' },
  'sdxl-inpaint': { ...SDXL, architecture: 'sdxl-inpaint', label: 'SDXL inpainting' },
};

/** A base model's name as people write it: SD1.5, SDXL. */
export function baseLabel(base: BaseModel): string {
  return ARCHITECTURES[base].label;
}

export function recipeOf(architecture: PipelineArchitecture): ArchitectureRecipe {
  return ARCHITECTURES[architecture];
}
