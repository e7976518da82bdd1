// Which onnxruntime execution providers actually work on this machine: each provider of the studio's table that
// onnxruntime-node carries for this platform is checked without trying where that is knowable (a missing library),
// then tried on a one-node model. Listing is not enough — WebGPU is "bundled" on Linux yet fails without a Vulkan
// driver, and ['webgpu','cpu'] does not fall back (toolchain-facts §2).
import * as ort from 'onnxruntime-node';
import { currentProviderHost, EXECUTION_PROVIDERS, providerUnusableBecause, type ProviderHost } from '../engine/onnx/execution-providers.ts';
import { encodeOnnxModel } from './selftest/onnx-writer.ts';

export interface ExecutionProviderStatus {
  readonly name: string;
  readonly bundled: boolean;
  readonly works: boolean;
  /** First line of the failure when it does not work. */
  readonly detail: string | null;
}

function probeModel(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: [{ name: 'y', shape: [1, 4] }],
    nodes: [{ op: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
    initializers: [{ name: 'one', dims: [1, 4], data: new Float32Array([1, 1, 1, 1]) }],
  });
}

/**
 * Why a provider failed, in words a user can act on. onnxruntime's own messages name C++ lambdas and .so files;
 * the common cases are recognised, anything else is its first line without the source location.
 */
export function explainProviderFailure(name: string, bundled: boolean, message: string): string {
  if (/failed to load (shared )?library|cannot open shared object/i.test(message)) {
    // The real reason (which library) goes to stderr only; the provider table's checks name it where they can.
    return bundled ? `its libraries could not be loaded (is the ${name} runtime installed?)` : `its provider library, not part of onnxruntime-node's package, is missing or needs a library this machine lacks (see \`faceid doctor --gpu\`)`;
  }
  if (name === 'webgpu' && /adapter/i.test(message)) return 'no GPU adapter found (needs a GPU driver: Vulkan on Linux, D3D12 on Windows, Metal on macOS)';
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine.replace(/^\S+\.cc:\d+ /, '').slice(0, 160);
}

/** Every provider onnxruntime-node has for this platform (CPU last), with whether it works and why not. */
export async function probeExecutionProviders(host: ProviderHost = currentProviderHost()): Promise<ExecutionProviderStatus[]> {
  const model = probeModel();
  const bundled = new Set(ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name));
  const results: ExecutionProviderStatus[] = [];
  for (const spec of EXECUTION_PROVIDERS.filter((p) => p.platforms.includes(`${host.platform}-${host.arch}`))) {
    const isBundled = spec.name === 'cpu' || bundled.has(spec.name);
    const unusable = await providerUnusableBecause(spec, host);
    if (unusable) {
      results.push({ name: spec.name, bundled: isBundled, works: false, detail: unusable });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [spec.config], ...spec.sessionOptions, logSeverityLevel: 4 });
      const output = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [1, 4]) });
      await session.release();
      const y = output.y?.data as Float32Array | undefined;
      const isRight = y?.[0] === 2 && y[3] === 5;
      results.push({ name: spec.name, bundled: isBundled, works: isRight, detail: isRight ? null : 'ran but gave wrong numbers' });
    } catch (error) {
      results.push({ name: spec.name, bundled: isBundled, works: false, detail: explainProviderFailure(spec.name, isBundled, String((error as Error).message ?? error)) });
    }
  }
  return results;
}
