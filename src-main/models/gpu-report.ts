// What this machine offers for running models: platform, onnxruntime version, each execution provider of the table
// present and tried, the NVIDIA GPU runtime's state, and what a GPU provider that fails still needs.
// `faceid doctor` prints it; `npm run gpu-check` records it.
import { EXECUTION_PROVIDERS, currentProviderHost, onnxruntimeNativeFolder, onnxruntimeVersion } from '../engine/onnx/execution-providers.ts';
import { probeExecutionProviders, type ExecutionProviderStatus } from './execution-providers.ts';
import { GPU_RUNTIME_TITLE, gpuRuntimeState, installedGpuRuntimeRecord } from './gpu-runtime.ts';

export interface GpuReport {
  readonly platform: string;
  readonly nodeVersion: string;
  readonly onnxruntimeVersion: string;
  readonly nativeFolder: string;
  readonly providers: readonly ExecutionProviderStatus[];
  readonly gpuRuntime: { readonly state: 'unsupported' | 'missing' | 'installed'; readonly detail: string };
  /** The best provider that works other than CPU, or null. */
  readonly gpuProvider: string | null;
  /** One sentence: which GPU provider runs the models, or "no GPU provider available" and why. */
  readonly summary: string;
  /** What a failing GPU provider needs, one line each. */
  readonly advice: readonly string[];
}

export async function gpuReport(options: { nativeFolder?: string } = {}): Promise<GpuReport> {
  const nativeFolder = options.nativeFolder ?? onnxruntimeNativeFolder();
  const host = currentProviderHost(nativeFolder);
  const version = onnxruntimeVersion();
  const providers = await probeExecutionProviders(host);
  const runtime = gpuRuntimeState({ nativeFolder, platform: host.platform, arch: host.arch, onnxruntimeVersion: version });
  const record = runtime.state === 'installed' ? await installedGpuRuntimeRecord(nativeFolder) : null;
  const gpuRuntime =
    runtime.state === 'unsupported'
      ? { state: runtime.state, detail: runtime.reason }
      : runtime.state === 'installed'
        ? { state: runtime.state, detail: record ? `${record.nugetId} ${record.version}, verified against ${record.verifiedAgainst}` : `present in ${nativeFolder} (not installed by the studio)` }
        : { state: runtime.state, detail: `not installed: download it on the Models page or run \`faceid models install-gpu-runtime\` (${runtime.package.nugetId} ${runtime.package.version})` };
  const gpuProvider = providers.find((p) => p.works && p.name !== 'cpu')?.name ?? null;
  const advice: string[] = [];
  for (const provider of providers.filter((p) => !p.works)) {
    const spec = EXECUTION_PROVIDERS.find((s) => s.name === provider.name);
    if (spec) advice.push(`${spec.title} needs ${spec.requirements}.`);
  }
  if (runtime.state === 'installed' && !providers.find((p) => p.name === 'cuda')?.works) {
    advice.push(`The ${GPU_RUNTIME_TITLE} is installed but CUDA does not start: onnxruntime ${version} needs CUDA 12.x and cuDNN 9.x on the library path (LD_LIBRARY_PATH or ldconfig), and an NVIDIA driver that supports CUDA 12 (nvidia-smi shows it).`);
  }
  const summary = gpuProvider ? `GPU provider available: ${gpuProvider}; Automatic uses it.` : 'No GPU provider available: models run on the CPU.';
  return { platform: `${host.platform}-${host.arch}`, nodeVersion: process.versions.node, onnxruntimeVersion: version, nativeFolder, providers, gpuRuntime, gpuProvider, summary, advice };
}
