// The host's generation setup: the engine in a worker thread with the user's preview and memory settings, the face
// models folder (FACEID_FACE_MODELS, else the studio's models/buffalo_l) and the compiled-graph cache the CLI shares.
import { defaultFaceModelsFolder } from '../cli/commands/embed.ts';
import { defaultEngineOptions } from '../engine/worker/default-options.ts';
import { EngineClient } from '../engine/worker/engine-client.ts';
import type { GenerationSetup } from './compose.ts';
import { engineClientAsGenerationEngine } from './job-runner.ts';

export function workerThreadGeneration(env: NodeJS.ProcessEnv = process.env): GenerationSetup {
  const engineOptions = defaultEngineOptions(env);
  return {
    faceModelsFolder: defaultFaceModelsFolder(env),
    cacheDir: engineOptions.cacheDir,
    startEngine: (settings) => {
      const client = EngineClient.start({ ...engineOptions, previewEvery: settings.previewEverySteps, memoryBudgetBytes: settings.memoryBudgetMb * 2 ** 20 });
      return { ...engineClientAsGenerationEngine(client), close: () => client.close() };
    },
  };
}
