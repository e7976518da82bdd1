// The host's generation setup: the engine in a worker thread with the user's engine settings and the
// tokenizer found among the model roots, and the compiled-graph cache the CLI shares.
import { engineSettingsFrom } from './engine-settings.ts';
import { defaultEngineOptions } from '../engine/worker/default-options.ts';
import { EngineClient } from '../engine/worker/engine-client.ts';
import type { GenerationSetup } from './compose.ts';
import { engineClientAsGenerationEngine } from './job-runner.ts';

export function workerThreadGeneration(env: NodeJS.ProcessEnv = process.env): GenerationSetup {
  const engineOptions = defaultEngineOptions(env);
  return {
    env,
    cacheDir: engineOptions.cacheDir,
    startEngine: (settings, { tokenizerDir }) => {
      const client = EngineClient.start({ ...engineOptions, ...(tokenizerDir ? { tokenizerDir } : {}), ...engineSettingsFrom(settings) });
      return { ...engineClientAsGenerationEngine(client), close: () => client.close() };
    },
  };
}
