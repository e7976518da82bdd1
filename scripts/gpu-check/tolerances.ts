// The golden tolerances for fp16 compute, stated here once (the fixture READMEs' figures are for fp32 and stay as
// they are). fp16 keeps 11 significant bits (relative step 4.9e-4), so a network's output carries rounding of a few
// 1e-3 of its spread; a pipeline adds it up over its steps. Measured with fp16-compute graphs on the CPU (where
// onnxruntime still runs some ops in fp32 between Casts): text encoder ≤ 2.9e-3, UNet ≤ 4.0e-3 (rel-std), pipeline
// latents ≤ 8.1e-3 (rel-std), pipeline images ≤ 4.7e-3 (abs). A GPU rounds every op's activations to fp16, so the
// bounds below leave about 2.5× that. The VAE is compiled fp32 in either mode and keeps its fp32 tolerances.
import type { Tolerance, ToleranceName } from '../../test/goldens/tolerances.ts';

export const FP16_COMPUTE_TOLERANCES: Partial<Record<ToleranceName, Tolerance>> = {
  textEncoder: { metric: 'rel-std', value: 1e-2 },
  clipVision: { metric: 'rel-std', value: 1e-2 },
  projections: { metric: 'rel-std', value: 1e-2 },
  unet: { metric: 'rel-std', value: 1e-2 },
  pipelineLatents: { metric: 'rel-std', value: 2e-2 },
  pipelineImage: { metric: 'abs', value: 1e-2 },
};

/** The golden suites that run onnxruntime graphs (and so depend on the provider and the compute precision). */
export const GRAPH_SUITES = ['text-encoder', 'clip-vision', 'unet', 'vae', 'pipelines', 'sdxl-text-encoders', 'sdxl-unet', 'sdxl-vae', 'sdxl-pipelines'] as const;

/** The CPU part on a machine without a GPU provider: the fp16-compute graphs run and stay within the fp16 bounds. */
export const CPU_PART_SUITES = ['text-encoder', 'unet', 'vae', 'pipelines'] as const;
