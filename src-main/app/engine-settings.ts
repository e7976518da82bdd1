// The user's Settings as the engine takes them: at start, and again whenever the Settings page changes one, so
// nothing waits for a restart.
import os from 'node:os';
import type { Settings } from '../../src-preload/contract/settings.ts';
import type { EngineSettings } from '../engine/worker/protocol.ts';

/** Below this much RAM, "auto" keeps weights compact: a full-size fp16 SD1.5 expanded to fp32 holds ≈ 5 GB. */
const COMPACT_BELOW_BYTES = 16 * 2 ** 30;
/**
 * Above it, "auto" still keeps a graph compact whose stored (fp16) weights exceed this share of RAM: expanded to fp32
 * they take twice that, before any activation. Measured on 24 GB: the SDXL UNet (5.1 GB stored) at 1024² was killed
 * for want of memory expanded and peaked at 20.1 GB compact, while SD1.5's UNet (1.7 GB) runs expanded.
 */
const AUTO_COMPACT_SHARE_OF_RAM = 0.15;

/** Whether a model-memory choice keeps weights compact on a machine with this much RAM (all, or only large graphs). */
export function compactWeightsFor(mode: Settings['modelMemory'], totalMemoryBytes: number = os.totalmem()): Pick<EngineSettings, 'compactWeights' | 'compactFromBytes'> {
  if (mode === 'fast') return { compactWeights: false };
  if (mode === 'compact' || totalMemoryBytes < COMPACT_BELOW_BYTES) return { compactWeights: true };
  return { compactWeights: true, compactFromBytes: Math.round(AUTO_COMPACT_SHARE_OF_RAM * totalMemoryBytes) };
}

/**
 * An execution-provider choice (Settings, or `--provider` per CLI job) as the engine takes it: "auto" leaves the
 * choice to the engine (the table's accelerated providers for this platform, best first, falling back to CPU); a
 * named one is tried before CPU; "cpu" tries nothing else.
 */
export function preferredProvidersFor(choice: Settings['executionProvider']): readonly string[] | 'auto' {
  return choice === 'auto' ? 'auto' : choice === 'cpu' ? [] : [choice];
}

export function engineSettingsFrom(settings: Settings, totalMemoryBytes: number = os.totalmem()): EngineSettings {
  return {
    previewEvery: settings.previewEverySteps,
    memoryBudgetBytes: settings.memoryBudgetMb * 2 ** 20,
    ...compactWeightsFor(settings.modelMemory, totalMemoryBytes),
    preferredProviders: preferredProvidersFor(settings.executionProvider),
  };
}
