// The one table of onnxruntime execution providers the studio knows: where onnxruntime-node 1.30's builds carry
// each, how we tell without trying whether it can work here, and the options its sessions are opened with. Its
// order is Automatic's preference. Trying a provider that cannot load prints native errors to stderr and, for
// CUDA, hides the real reason (a missing library) from the thrown error, so what can be known beforehand is.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describeMissingLibrary, loaderKnows, missingSharedLibraries } from './native-libraries.ts';

export const PROVIDER_NAMES = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Where a provider is being considered: this process's platform unless a test says otherwise. */
export interface ProviderHost {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** onnxruntime-node's native folder: provider libraries must sit beside its libonnxruntime. */
  readonly nativeFolder: string;
  /** Backends the loaded binding says it was built with (`ort.listSupportedBackends()`). */
  readonly listed: ReadonlySet<string>;
}

export interface ExecutionProviderSpec {
  readonly name: ProviderName;
  readonly title: string;
  /** `platform-arch` pairs whose onnxruntime-node build carries it (read from the 1.30.0 package's bindings). */
  readonly platforms: readonly string[];
  /** How its readiness is told without trying, in words (doctor prints it). */
  readonly detection: string;
  /** What the machine needs beyond the studio. */
  readonly requirements: string;
  /** Libraries that must sit in the native folder (not shipped in the npm package). */
  readonly providerLibraries?: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>>;
  readonly config: ort.InferenceSession.ExecutionProviderConfig;
  /** Session options this provider needs on top of the studio's. */
  readonly sessionOptions?: Readonly<Pick<ort.InferenceSession.SessionOptions, 'enableMemPattern' | 'executionMode'>>;
  /** Why it cannot work here, when that is knowable without opening a session; undefined = worth trying. */
  unusableBecause(host: ProviderHost): Promise<string | undefined>;
}

/** CUDA libraries of the NVIDIA GPU runtime download (the NuGet package's runtimes/<rid>/native). */
const CUDA_LIBRARIES = { linux: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] } as const;

export const EXECUTION_PROVIDERS: readonly ExecutionProviderSpec[] = [
  {
    name: 'cuda',
    title: 'NVIDIA CUDA',
    platforms: ['linux-x64'],
    detection: 'the NVIDIA GPU runtime libraries beside onnxruntime, then every library they link found by the system loader (ldd)',
    requirements: 'an NVIDIA GPU with its driver, CUDA 12 (cudart, cuBLAS, cuRAND, cuFFT) and cuDNN 9 for CUDA 12, plus the NVIDIA GPU runtime download',
    providerLibraries: CUDA_LIBRARIES,
    config: { name: 'cuda', deviceId: 0 },
    async unusableBecause(host) {
      const files = (CUDA_LIBRARIES as Partial<Record<NodeJS.Platform, readonly string[]>>)[host.platform] ?? [];
      const absent = files.filter((file) => !existsSync(path.join(host.nativeFolder, file)));
      if (absent.length > 0) return `the NVIDIA GPU runtime is not installed (${absent.join(', ')} missing beside onnxruntime)`;
      const missing = await missingSharedLibraries(path.join(host.nativeFolder, 'libonnxruntime_providers_cuda.so'), host.platform);
      if (missing && missing.length > 0) return `the system lacks ${missing.map(describeMissingLibrary).join(', ')}`;
      return undefined;
    },
  },
  {
    name: 'dml',
    title: 'DirectML',
    platforms: ['win32-x64', 'win32-arm64'],
    detection: 'bundled with onnxruntime-node on Windows (DirectML.dll); a session is opened to see that a Direct3D 12 GPU answers',
    requirements: 'Windows 10 1903 or later and a Direct3D 12 GPU (NVIDIA, AMD, Intel)',
    config: { name: 'dml', deviceId: 0 },
    // onnxruntime's DirectML provider does not support memory patterns or parallel execution.
    sessionOptions: { enableMemPattern: false, executionMode: 'sequential' },
    unusableBecause: async () => undefined,
  },
  {
    name: 'coreml',
    title: 'Core ML',
    platforms: ['darwin-arm64'],
    detection: 'bundled with onnxruntime-node on Apple silicon; a session is opened to see what Core ML accepts',
    requirements: 'macOS on Apple silicon',
    // ML Program format: needed for fp16 and for most of the UNet's ops under Core ML.
    config: { name: 'coreml', coreMlFlags: 0x010 },
    unusableBecause: async () => undefined,
  },
  {
    name: 'webgpu',
    title: 'WebGPU',
    platforms: ['linux-x64', 'win32-x64', 'win32-arm64', 'darwin-arm64'],
    detection: 'bundled with onnxruntime-node; on Linux the Vulkan loader (libvulkan.so.1) must be known to the system, then a session is opened to find a GPU adapter',
    requirements: 'a GPU driver: Vulkan on Linux, Direct3D 12 on Windows, Metal on macOS',
    config: { name: 'webgpu' },
    async unusableBecause(host) {
      if (host.platform !== 'linux') return undefined;
      return (await loaderKnows('libvulkan.so.1', host.platform)) === false ? 'no Vulkan loader (libvulkan.so.1) is installed' : undefined;
    },
  },
  {
    name: 'cpu',
    title: 'CPU',
    platforms: ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-arm64'],
    detection: 'always there',
    requirements: 'nothing',
    config: { name: 'cpu' },
    unusableBecause: async () => undefined,
  },
];

export function providerSpec(name: string): ExecutionProviderSpec | undefined {
  return EXECUTION_PROVIDERS.find((p) => p.name === name);
}

/** onnxruntime-node's package folder. */
function packageFolder(): string {
  return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
}

/** The installed onnxruntime-node's version: provider downloads must match it exactly. */
export function onnxruntimeVersion(): string {
  return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
}

/** onnxruntime-node's native folder for a platform (where its libonnxruntime and any provider libraries sit). */
export function onnxruntimeNativeFolder(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return path.join(packageFolder(), 'bin', 'napi-v6', platform, arch);
}

/** This process's host. */
export function currentProviderHost(nativeFolder: string = onnxruntimeNativeFolder()): ProviderHost {
  return { platform: process.platform, arch: process.arch, nativeFolder, listed: new Set(ort.listSupportedBackends().map((b) => b.name)) };
}

/** Why a provider cannot run on this host, or undefined when it is worth opening a session with it. */
export async function providerUnusableBecause(spec: ExecutionProviderSpec, host: ProviderHost): Promise<string | undefined> {
  if (!spec.platforms.includes(`${host.platform}-${host.arch}`)) return `onnxruntime-node has no ${spec.title} build for ${host.platform}-${host.arch}`;
  if (spec.name !== 'cpu' && !host.listed.has(spec.name)) return `this onnxruntime-node build was made without ${spec.title}`;
  return spec.unusableBecause(host);
}

/** Automatic's candidates here, best first, CPU excluded (it is always the last resort). */
export function automaticProviders(host: Pick<ProviderHost, 'platform' | 'arch'> = process): ProviderName[] {
  return EXECUTION_PROVIDERS.filter((p) => p.name !== 'cpu' && p.platforms.includes(`${host.platform}-${host.arch}`)).map((p) => p.name);
}
