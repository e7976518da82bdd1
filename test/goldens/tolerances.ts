// Every golden tolerance, in one place, as ../shared/fixtures READMEs and the issues name them.
// Never loosen one to make a check pass.
import type { GoldenMetric } from './compare.ts';

export interface Tolerance {
  readonly metric: GoldenMetric;
  readonly value: number;
}

const relStd = (value: number): Tolerance => ({ metric: 'rel-std', value });
const abs = (value: number): Tolerance => ({ metric: 'abs', value });
const exact: Tolerance = { metric: 'exact', value: 0 };

export const TOLERANCES = {
  // fixtures/README.md §3
  textEncoder: relStd(1e-4),
  clipVision: relStd(1e-4),
  projections: relStd(1e-4),
  vaeEncode: relStd(1e-4),
  vaeDecode: relStd(5e-4),
  unet: relStd(5e-4),
  schedulerSample: relStd(1e-5),
  schedulerTimesteps: exact,
  schedulerFractionalTimesteps: abs(1e-4),
  pipelineLatents: relStd(1e-3),
  pipelineImage: abs(2e-3),
  // fixtures/sdxl/README.md §7 (its other figures equal the SD1.5 ones above)
  zeroNegative: exact,
  // fixtures/control/README.md §7
  canny: exact,
  controlPreprocess: exact,
  controlNet: relStd(5e-4),
  // fixtures/tokenizer/README.md
  tokenizer: exact,
  // fixtures/rng/README.md
  randnFloat32: abs(1e-6),
  randnShortPath: exact,
  randnFloat16: exact,
  // fixtures/face/README.md
  letterbox: exact,
  faceDecode: abs(2e-5),
  alignMatrixClosedForm: abs(1e-9),
  alignMatrixSkimage: abs(2e-4),
  alignCrop: exact,
  embedding: abs(1e-6),
  clipPixels: abs(1e-6),
} as const satisfies Record<string, Tolerance>;

export type ToleranceName = keyof typeof TOLERANCES;
