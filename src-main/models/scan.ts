// Finds model files in the studio's models folder and in the user's own folders (ComfyUI and A1111
// layouts read in place), and identifies each one by content. Results are cached by path + size + mtime
// in a JSON file, so a rescan of an unchanged tree only lists folders and stats files.
import { mkdir, readdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EXTRA_MODEL_PATHS_FILE, readExtraModelPaths } from './comfy-extra-paths.ts';
import { ModelIdentitySchema, type Identify, type ModelIdentity } from './identity.ts';

export type FolderLayout = 'comfyui' | 'a1111' | 'plain';

/** Model folders of each layout (relative to the install), as peers document them (issue #8, peers §2). A1111 keeps
 *  textual inversions in its top-level embeddings/, and sd-webui-controlnet downloads insightface and the CLIP-H
 *  encoder into its annotator/downloads. */
const LAYOUT_FOLDERS: Record<Exclude<FolderLayout, 'plain'>, readonly string[]> = {
  comfyui: ['models/checkpoints', 'models/ipadapter', 'models/clip_vision', 'models/loras', 'models/insightface', 'models/controlnet', 'models/t2i_adapter', 'models/vae', 'models/vae_approx', 'models/embeddings', 'models/upscale_models', 'models/unet', 'models/diffusion_models'],
  a1111: ['models/Stable-diffusion', 'models/Lora', 'models/ControlNet', 'models/VAE', 'models/VAE-approx', 'models/ESRGAN', 'models/RealESRGAN', 'models/insightface', 'embeddings', 'extensions/sd-webui-controlnet/models', 'extensions/sd-webui-controlnet/annotator/downloads'],
};

/** Where the install sits relative to the folder a user points at: itself, its parent (they chose models/), or the
 *  app folder inside a portable download (ComfyUI_windows_portable/ComfyUI, A1111's sd.webui/webui). */
const INSTALL_CANDIDATES = (root: string): string[] => [root, path.dirname(root), path.join(root, 'ComfyUI'), path.join(root, 'webui')];

const MAX_DEPTH = 8;
/** A root set too wide (a home folder, "/") stops here with a note instead of walking for minutes. */
const MAX_FILES_PER_ROOT = 20_000;
/** Folders that hold code, not models, in the installs people point us at. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'venv', '__pycache__', 'site-packages', 'outputs', 'output']);

export interface ScannedFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /** The root it was found under and the layout folder it sat in (informational: identity comes from content). */
  readonly root: string;
  readonly layoutFolder: string | null;
  /** Null: not a model file the studio knows (or a torch file waiting for the checkpoint detector). */
  readonly identity: ModelIdentity | null;
  readonly fromCache: boolean;
}

export interface ScannedRoot {
  readonly path: string;
  readonly layout: FolderLayout;
  readonly error: string | null;
}

export interface ScanResult {
  readonly roots: readonly ScannedRoot[];
  readonly files: readonly ScannedFile[];
  readonly identifiedCount: number;
  readonly fromCacheCount: number;
  readonly durationMs: number;
}

export interface ScanOptions {
  readonly roots: readonly string[];
  readonly identify: Identify;
  /** JSON cache file (in the studio folder). Without it every scan identifies every file again. */
  readonly cacheFile?: string;
  readonly signal?: AbortSignal;
  /**
   * Roots walked whole whatever their layout: the studio's own models folder uses ComfyUI folder names but also
   * keeps files ComfyUI has no folder for (the tokenizer), which a layout scan would skip.
   */
  readonly wholeRoots?: readonly string[];
  /** Changes whenever what `identify` can recognise changes (e.g. the torch-file detector is wired): old cache entries are then ignored. */
  readonly identifierVersion?: string;
}

const CacheSchema = z.object({
  version: z.literal(1),
  identifierVersion: z.string(),
  files: z.record(z.string(), z.object({ sizeBytes: z.number(), mtimeMs: z.number(), identity: ModelIdentitySchema.nullable() })),
});
type Cache = z.infer<typeof CacheSchema>;

async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

/** The install a root belongs to and its layout, found by looking at a few folders (never by walking the tree). */
async function findInstall(root: string): Promise<{ layout: FolderLayout; base: string }> {
  for (const base of INSTALL_CANDIDATES(root)) {
    if (await isDirectory(path.join(base, 'models', 'Stable-diffusion'))) return { layout: 'a1111', base };
    if (await isDirectory(path.join(base, 'models', 'checkpoints'))) return { layout: 'comfyui', base };
  }
  return { layout: 'plain', base: root };
}

export async function detectLayout(root: string): Promise<FolderLayout> {
  return (await findInstall(root)).layout;
}

interface WalkedFolder {
  readonly folder: string;
  readonly layoutFolder: string | null;
}

/** The folders to walk for a root: the layout's model folders (skipping venvs and outputs) and, for ComfyUI, those its
 *  extra_model_paths.yaml names; or the whole root. */
async function foldersOf(root: string, layout: FolderLayout): Promise<{ folders: WalkedFolder[]; error: string | null }> {
  if (layout === 'plain') return { folders: [{ folder: root, layoutFolder: null }], error: null };
  const { base } = await findInstall(root);
  const found: WalkedFolder[] = [];
  for (const relative of LAYOUT_FOLDERS[layout]) {
    const folder = path.join(base, relative);
    if (await isDirectory(folder)) found.push({ folder, layoutFolder: `${layout}:${relative}` });
  }
  if (layout !== 'comfyui') return { folders: found, error: null };
  const extra = await readExtraModelPaths(path.join(base, EXTRA_MODEL_PATHS_FILE));
  for (const { kind, folder } of extra.folders) {
    if (await isDirectory(folder)) found.push({ folder, layoutFolder: `${EXTRA_MODEL_PATHS_FILE}:${kind}` });
  }
  return { folders: found, error: extra.error };
}

async function* walk(folder: string, seen: Set<string>, depth = 0): AsyncGenerator<string> {
  if (depth > MAX_DEPTH) return;
  const real = await realpath(folder);
  if (seen.has(real)) return; // symlink loops, or two roots sharing a folder
  seen.add(real);
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue; // our own .part files and state, editors' droppings
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(full)))) {
      if (existsSync(path.join(full, 'model_index.json'))) yield full; // a diffusers model folder is one model
      else if (!SKIPPED_FOLDERS.has(entry.name)) yield* walk(full, seen, depth + 1);
    }
    else if (entry.isFile() || entry.isSymbolicLink()) yield full;
  }
}

/** Size and mtime of a model file; for a diffusers folder, of its model_index.json and the folder itself. */
async function modelStat(file: string): Promise<{ size: number; mtimeMs: number } | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  if (info.isFile()) return info;
  if (!info.isDirectory()) return null;
  const index = await stat(path.join(file, 'model_index.json')).catch(() => null);
  return index ? { size: index.size, mtimeMs: Math.max(index.mtimeMs, info.mtimeMs) } : null;
}

async function readCache(file: string | undefined, identifierVersion: string): Promise<Cache> {
  const empty: Cache = { version: 1, identifierVersion, files: {} };
  if (!file) return empty;
  try {
    const parsed = CacheSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success && parsed.data.identifierVersion === identifierVersion) return parsed.data;
  } catch {
    // missing or torn: rebuild it
  }
  return empty;
}

async function writeCache(file: string, cache: Cache): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(cache));
  await rename(temporary, file);
}

export async function scanModelFolders(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const identifierVersion = options.identifierVersion ?? '1';
  const cache = await readCache(options.cacheFile, identifierVersion);
  const nextCache: Cache = { version: 1, identifierVersion, files: {} };
  const roots: ScannedRoot[] = [];
  const files: ScannedFile[] = [];
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();

  for (const root of options.roots) {
    const layout = options.wholeRoots?.includes(root) ? 'plain' : await detectLayout(root);
    if (!(await isDirectory(root))) {
      roots.push({ path: root, layout, error: `${root} does not exist or is not a folder.` });
      continue;
    }
    const walked = await foldersOf(root, layout);
    let error: string | null = walked.error;
    let filesInRoot = 0;
    for (const { folder, layoutFolder } of walked.folders) {
      try {
        for await (const file of walk(folder, seenFolders)) {
          options.signal?.throwIfAborted();
          if (++filesInRoot > MAX_FILES_PER_ROOT) {
            error = `Stopped after ${MAX_FILES_PER_ROOT} files in ${root}: choose the folder that holds the models (for ComfyUI, its models folder).`;
            break;
          }
          if (seenFiles.has(file)) continue;
          seenFiles.add(file);
          const info = await modelStat(file);
          if (!info || info.size === 0) continue;
          const cached = cache.files[file];
          const mtimeMs = Math.trunc(info.mtimeMs); // whole ms: copies and restores keep that much, not always the ns
          const isFresh = cached !== undefined && cached.sizeBytes === info.size && cached.mtimeMs === mtimeMs;
          const identity = isFresh ? cached.identity : await options.identify(file).catch(() => null);
          nextCache.files[file] = { sizeBytes: info.size, mtimeMs, identity };
          files.push({ path: file, sizeBytes: info.size, mtimeMs, root, layoutFolder, identity, fromCache: isFresh });
        }
      } catch (cause) {
        if (options.signal?.aborted) throw cause;
        error = `${folder} could not be read: ${(cause as Error).message}`;
      }
    }
    roots.push({ path: root, layout, error });
  }
  if (options.cacheFile) await writeCache(options.cacheFile, nextCache);
  return {
    roots,
    files,
    identifiedCount: files.filter((f) => f.identity !== null).length,
    fromCacheCount: files.filter((f) => f.fromCache).length,
    durationMs: performance.now() - started,
  };
}
