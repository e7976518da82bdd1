// Messages between the app side (EngineClient, the Electron engine process supervisor) and the engine worker.
// Everything is structured-clone safe (plain objects, typed arrays).
import type { Failure } from '../../../src-preload/contract/errors.ts';
import type { GenerationParams, GenerationPass, JobState } from '../../../src-preload/contract/generation.ts';
import type { JobStage } from '../../../src-preload/contract/jobs.ts';
import type { IpConditioning } from '../pipeline/diffuse.ts';
import type { GoldenReplay } from '../pipeline/golden-replay.ts';
import type { FaceDetailReport } from '../pipeline/generate.ts';
import type { ProviderStatus } from '../onnx/session-pool.ts';
import type { AnnotatorFiles } from '../control/control-image.ts';

/** What the engine may be told while it runs (the Settings page); it applies them before its next job. */
export interface EngineSettings {
  /** Estimated bytes of open onnxruntime sessions before the least recently used is released. */
  readonly memoryBudgetBytes?: number;
  /** A preview image every N steps (0 = none). */
  readonly previewEvery?: number;
  /** Execution providers to try before CPU; 'auto' (the default): what the platform and build offer. */
  readonly preferredProviders?: readonly string[] | 'auto';
  /** Weights kept as the file stores them (less memory, slower on CPU; onnx/session.ts). */
  readonly compactWeights?: boolean;
  /** With compactWeights: the stored weight bytes from which a graph opens compact (smaller ones open expanded). */
  readonly compactFromBytes?: number;
}

export interface EngineOptions extends EngineSettings {
  /** Where compiled graphs are cached. */
  readonly cacheDir: string;
  /** CLIP tokenizer folder for single-file checkpoints. */
  readonly tokenizerDir?: string;
  /** config.json overrides for single-file checkpoints (ModelLoaderOptions.configDir). */
  readonly configDir?: string;
  /** The insightface models folder (det_10g.onnx): the face detail pass's detector, opened on first use. */
  readonly faceModelsFolder?: string;
}

export type EngineRequest =
  | {
      readonly type: 'submit';
      readonly jobId: string;
      readonly params: GenerationParams;
      readonly ip?: IpConditioning;
      readonly replay?: GoldenReplay;
      /** A TAESD decoder for this job's base: previews through it instead of the latent → RGB map, and the decoder of a
       *  draft decode (GenerationParams.draftDecode). */
      readonly previewDecoder?: string;
      /** The annotator models this job's preprocessors need (DWPose for OpenPose maps). */
      readonly annotators?: AnnotatorFiles;
    }
  | { readonly type: 'cancel'; readonly jobId: string }
  | { readonly type: 'configure'; readonly settings: EngineSettings }
  | { readonly type: 'providers' }
  | { readonly type: 'shutdown' };

export interface JobImage {
  readonly png: Uint8Array;
  readonly seed: number;
  /** The picture's size (the hires fix's target size when it ran). */
  readonly width: number;
  readonly height: number;
  readonly parameters: string;
  /** What the face detail pass did (jobs that asked for it). */
  readonly faceDetail?: FaceDetailReport;
  /** Float HWC pixels in [0,1] (jobs replaying a golden only). */
  readonly hwc01?: Float32Array;
  /** Each step's latents in and out (jobs replaying a golden only). */
  readonly stepLatents?: Readonly<Record<string, Float32Array>>;
}

export interface JobStateEvent {
  readonly type: 'state';
  readonly jobId: string;
  readonly state: JobState;
  readonly error?: Failure;
  readonly images?: readonly JobImage[];
  /** Seconds from start of the job to this state (running → done/failed/cancelled). */
  readonly elapsedSeconds?: number;
}

export interface JobProgressEvent {
  readonly type: 'progress';
  readonly jobId: string;
  readonly step: number;
  readonly total: number;
  /** The pass the step belongs to; its steps count from 1 again. */
  readonly pass: GenerationPass;
  readonly itPerSec: number;
  readonly etaSeconds: number;
}

export interface JobStageEvent {
  readonly type: 'stage';
  readonly jobId: string;
  readonly stage: JobStage;
  readonly detail: string;
}

export interface JobPreviewEvent {
  readonly type: 'preview';
  readonly jobId: string;
  readonly step: number;
  readonly png: Uint8Array;
}

export interface ProvidersEvent {
  readonly type: 'providers';
  readonly providers: readonly ProviderStatus[];
}

export type EngineEvent = JobStateEvent | JobProgressEvent | JobStageEvent | JobPreviewEvent | ProvidersEvent;

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled', 'interrupted']);
