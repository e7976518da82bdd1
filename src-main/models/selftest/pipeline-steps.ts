// The self-test's generation steps, run on the tiny set through the real engine: face → embedding (engine/face),
// embedding → FaceID tokens (engine/models face projection), txt2img with FaceID and its embedded LoRA
// (engine/pipeline generate), and the identity score of the result against the reference (engine/face).
// Each step hands its output to the next through `context.state`.
import path from 'node:path';
import { analyzeImage } from '../../engine/face/analyze.ts';
import { identityScore } from '../../engine/face/identity.ts';
import { loadFaceModels, releaseFaceModels } from '../../engine/face/models.ts';
import { loadFaceProjection, projectFaceTokens, releaseFaceProjection } from '../../engine/models/face-tokens.ts';
import { SessionPool } from '../../engine/onnx/session-pool.ts';
import { generate } from '../../engine/pipeline/generate.ts';
import { ModelLoader } from '../../engine/pipeline/model-loader.ts';
import type { SelftestContext, SelftestStep } from './selftest-step.ts';
import { REFERENCE_SIZE } from './tiny-face-models.ts';

const FACE_WEIGHT = 0.8;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing: an earlier step did not produce it.`);
  return value;
}

const compiledFolder = (context: SelftestContext) => path.join(path.dirname(context.set.folder), 'selftest-compiled');

const faceStep: SelftestStep = {
  name: 'face → embedding',
  async run(context) {
    const { set, signal } = context;
    const models = await loadFaceModels(path.dirname(set.files.detector));
    try {
      const analysis = await analyzeImage(set.files.reference, models, { detectionSizes: [REFERENCE_SIZE], ...(signal ? { signal } : {}) });
      const face = analysis.faces[0];
      if (analysis.faces.length !== 1 || !face) throw new Error(`expected one face on the reference picture, found ${analysis.faces.length}.`);
      const norm = Math.hypot(...face.embedding);
      if (face.embedding.length !== 512 || Math.abs(norm - 1) > 1e-4) throw new Error(`expected a unit 512-d embedding, got ${face.embedding.length} values with norm ${norm}.`);
      context.state.embedding = face.embedding;
      return `1 face (score ${face.score.toFixed(4)}), unit 512-d embedding`;
    } finally {
      await releaseFaceModels(models);
    }
  },
};

const tokensStep: SelftestStep = {
  name: 'embedding → FaceID tokens',
  async run(context) {
    const embedding = need(context.state.embedding, 'The face embedding');
    const projection = await loadFaceProjection(context.set.files.adapter, { cacheDir: compiledFolder(context), ...(context.signal ? { signal: context.signal } : {}) });
    try {
      const tokens = await projectFaceTokens(projection, { embeddings: [embedding] });
      const values = [...tokens.cond.data, ...tokens.uncond.data];
      if (!values.every(Number.isFinite)) throw new Error('the FaceID projection produced non-finite values.');
      context.state.tokens = tokens;
      return `${projection.variant} tokens ${JSON.stringify(tokens.cond.shape)} (+ negative)`;
    } finally {
      await releaseFaceProjection(projection);
    }
  },
};

const txt2imgStep: SelftestStep = {
  name: 'txt2img with FaceID',
  async run(context) {
    const tokens = need(context.state.tokens, 'The FaceID tokens');
    const pool = new SessionPool({ memoryBudgetBytes: 512 * 1024 * 1024, preferredProviders: [] });
    try {
      const loader = new ModelLoader({ cacheDir: compiledFolder(context), pool, tokenizerDir: path.dirname(context.set.files.vocab) });
      const images = await generate(
        {
          model: context.set.files.checkpoint,
          prompt: 'a photo of a person, portrait',
          negativePrompt: 'lowres',
          seed: 1,
          steps: 4,
          cfg: 7.5,
          sampler: 'DDIM',
          width: 64,
          height: 64,
          faceid: { adapter: context.set.files.adapter, faceWeight: FACE_WEIGHT },
        },
        {
          loader,
          ip: { cond: tokens.cond.data, uncond: tokens.uncond.data, count: tokens.cond.shape[1]!, scale: FACE_WEIGHT },
          ...(context.signal ? { signal: context.signal } : {}),
        },
      );
      const image = images[0];
      if (!image || image.png.length === 0) throw new Error('the pipeline returned no image.');
      context.state.generatedPng = image.png;
      return `64×64 PNG, 4 DDIM steps, ${image.png.length} bytes`;
    } finally {
      await pool.releaseAll();
    }
  },
};

const identityStep: SelftestStep = {
  name: 'identity score',
  async run(context) {
    const embedding = need(context.state.embedding, 'The face embedding');
    const png = need(context.state.generatedPng, 'The generated image');
    const models = await loadFaceModels(path.dirname(context.set.files.detector));
    try {
      const analysis = await analyzeImage(png, models, context.signal ? { signal: context.signal } : {});
      const score = identityScore(embedding, analysis.faces);
      // Random tiny weights paint no face; what is checked is that the scoring path runs and answers sensibly.
      if (score.kind === 'face' && !(score.score >= -1 && score.score <= 1)) throw new Error(`identity score ${score.score} is outside [-1, 1].`);
      return score.kind === 'face' ? `score ${score.score.toFixed(3)}` : 'no face in the tiny model\'s picture (expected with random weights)';
    } finally {
      await releaseFaceModels(models);
    }
  },
};

export const PIPELINE_STEPS: readonly SelftestStep[] = [faceStep, tokensStep, txt2imgStep, identityStep];
