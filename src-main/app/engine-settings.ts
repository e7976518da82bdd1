// The user's Settings as the engine takes them: at start, and again whenever the Settings page changes one, so
// nothing waits for a restart.
import os from 'node:os';
import type { Settings } from '../../src-preload/contract/settings.ts';
import type { EngineSettings } from '../engine/worker/protocol.ts';

/** Below this much RAM, "auto" keeps weights compact: a full-size fp16 SD1.5 expanded to fp32 holds ≈ 5 GB. */
const COMPACT_BELOW_BYTES = 16 * 2 ** 30;

/** Whether a model-memory choice keeps weights compact on a machine with this much RAM. */
export function compactWeightsFor(mode: Settings['modelMemory'], totalMemoryBytes: number = os.totalmem()): boolean {
  return mode === 'compact' || (mode === 'auto' && totalMemoryBytes < COMPACT_BELOW_BYTES);
}

export function engineSettingsFrom(settings: Settings, totalMemoryBytes: number = os.totalmem()): EngineSettings {
  return {
    previewEvery: settings.previewEverySteps,
    memoryBudgetBytes: settings.memoryBudgetMb * 2 ** 20,
    compactWeights: compactWeightsFor(settings.modelMemory, totalMemoryBytes),
    // "auto" leaves the choice to the engine (what this platform and build offer); a named one is tried before CPU.
    preferredProviders: settings.executionProvider === 'auto' ? 'auto' : settings.executionProvider === 'cpu' ? [] : [settings.executionProvider],
  };
}
