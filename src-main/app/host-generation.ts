// The host's generation setup: the engine in a worker thread with the user's engine settings and the
// tokenizer found among the model roots, and the compiled-graph cache the CLI shares.
import { EngineClient } from '../engine/worker/engine-client.ts';
import type { GenerationSetup } from './compose.ts';
import { defaultEngineOptions } from './engine-options.ts';
import { engineSettingsFrom } from './engine-settings.ts';
import type { StudioEnvironment } from './environment.ts';
import { engineClientAsGenerationEngine } from './job-runner.ts';

export function workerThreadGeneration(env: StudioEnvironment): GenerationSetup {
  const engineOptions = defaultEngineOptions(env);
  return {
    faceModels: env.faceModels,
    cacheDir: engineOptions.cacheDir,
    startEngine: (settings, { tokenizerDir, faceModelsFolder }) => {
      const client = EngineClient.start({ ...engineOptions, ...(tokenizerDir ? { tokenizerDir } : {}), ...(faceModelsFolder ? { faceModelsFolder } : {}), ...engineSettingsFrom(settings) });
      return { ...engineClientAsGenerationEngine(client), close: () => client.close() };
    },
  };
}
