// User settings kept in the library; DEFAULT_SETTINGS fills whatever a library has not stored yet.
import { z } from 'zod';

export const THEMES = ['dark', 'light'] as const;
export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
/** How model weights sit in memory: fast (expanded to 32-bit), compact (as the file stores them), or chosen by RAM. */
export const MODEL_MEMORY_MODES = ['auto', 'fast', 'compact'] as const;
export type ModelMemoryMode = (typeof MODEL_MEMORY_MODES)[number];

export const SettingsSchema = z.object({
  theme: z.enum(THEMES),
  /** Extra model roots read in place (ComfyUI / A1111 folders). */
  modelFolders: z.array(z.string().min(1)).max(32),
  executionProvider: z.enum(EXECUTION_PROVIDERS),
  memoryBudgetMb: z.number().int().min(512).max(1_048_576),
  modelMemory: z.enum(MODEL_MEMORY_MODES),
  /** 0 turns live previews off. */
  previewEverySteps: z.number().int().min(0).max(150),
  /** Hide models whose licence forbids commercial use. */
  commercialClean: z.boolean(),
  /** A1111's SD VAE: the VAE file or folder generations use unless they choose one; null = each checkpoint's own. */
  defaultVae: z.string().min(1).nullable(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  theme: 'dark',
  modelFolders: [],
  executionProvider: 'auto',
  memoryBudgetMb: 8192,
  modelMemory: 'auto',
  previewEverySteps: 5,
  commercialClean: false,
  defaultVae: null,
};

export const AppInfoSchema = z.object({
  version: z.string(),
  /** Where the library (database, photos, images) lives. */
  libraryFolder: z.string(),
  /** The machine's RAM, and whether Model memory "auto" means compact here. */
  totalMemoryBytes: z.number().nonnegative(),
  autoModelMemory: z.enum(['fast', 'compact']),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const settingsMethods = {
  get: { request: z.object({}), response: SettingsSchema },
  update: { request: SettingsSchema.partial(), response: SettingsSchema },
} as const;

export const appMethods = {
  info: { request: z.object({}), response: AppInfoSchema },
} as const;
