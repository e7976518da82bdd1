// Which shared libraries a native provider library cannot find, asked of the system's dynamic loader (ldd on Linux),
// so a provider that would fail is explained by name ("libcudnn.so.9 not found") instead of onnxruntime's bare
// "Failed to load shared library" — its real reason goes to stderr only, never into the thrown error.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a missing library is part of, for the libraries onnxruntime's CUDA provider links against. */
const LIBRARY_SOURCES: ReadonlyArray<{ readonly pattern: RegExp; readonly partOf: string }> = [
  { pattern: /^libcudnn/, partOf: 'cuDNN 9 for CUDA 12' },
  { pattern: /^libcublas(Lt)?\.so\.12/, partOf: 'CUDA 12 cuBLAS' },
  { pattern: /^libcudart\.so\.12/, partOf: 'the CUDA 12 runtime' },
  { pattern: /^libcurand\.so\.10/, partOf: 'CUDA 12 cuRAND' },
  { pattern: /^libcufft\.so\.11/, partOf: 'CUDA 12 cuFFT' },
  { pattern: /^libcuda\.so/, partOf: 'the NVIDIA driver' },
  { pattern: /^libnvinfer|^libnvonnxparser/, partOf: 'TensorRT' },
  { pattern: /^libonnxruntime_providers_shared/, partOf: 'the NVIDIA GPU runtime download' },
];

/** "libcudnn.so.9 (cuDNN 9 for CUDA 12)", or the bare name for a library not in the list. */
export function describeMissingLibrary(name: string): string {
  const source = LIBRARY_SOURCES.find((s) => s.pattern.test(name));
  return source ? `${name} (${source.partOf})` : name;
}

/** The `name => not found` lines of ldd's output. */
export function parseLddMissing(output: string): string[] {
  const missing: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(\S+)\s+=>\s+not found/.exec(line);
    if (match) missing.push(match[1]!);
  }
  return missing;
}

/**
 * Libraries `file` needs that the loader cannot find, with the environment this process would load it with
 * (ldd honours LD_LIBRARY_PATH as the loader does). Null where that cannot be asked: not Linux, no ldd, not ELF.
 */
export async function missingSharedLibraries(file: string, platform: NodeJS.Platform = process.platform): Promise<string[] | null> {
  if (platform !== 'linux') return null;
  try {
    const { stdout } = await run('ldd', [file], { timeout: 10_000 });
    return parseLddMissing(stdout);
  } catch (error) {
    // ldd exits 1 for "not a dynamic executable" and when a library is missing on some libcs; keep what it printed.
    const stdout = (error as { stdout?: string }).stdout ?? '';
    return /=>/.test(stdout) ? parseLddMissing(stdout) : null;
  }
}

/** Whether the loader's cache (`ldconfig -p`) knows a library; null where there is no such cache. */
export async function loaderKnows(library: string, platform: NodeJS.Platform = process.platform): Promise<boolean | null> {
  if (platform !== 'linux') return null;
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      const { stdout } = await run(ldconfig, ['-p'], { timeout: 10_000, maxBuffer: 16 * 2 ** 20 });
      return stdout.split('\n').some((line) => line.trim().startsWith(`${library} `));
    } catch {
      // try the next location
    }
  }
  return null;
}
