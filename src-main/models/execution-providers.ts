// Which onnxruntime execution providers actually work on this machine: each backend the installed
// onnxruntime-node lists is tried on a one-node model. Listing is not enough — WebGPU is "bundled" on
// Linux yet fails without a Vulkan driver, and ['webgpu','cpu'] does not fall back (toolchain-facts §2).
import * as ort from 'onnxruntime-node';
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

export async function probeExecutionProviders(): Promise<ExecutionProviderStatus[]> {
  const model = probeModel();
  const results: ExecutionProviderStatus[] = [];
  for (const backend of ort.listSupportedBackends()) {
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [backend.name], logSeverityLevel: 4 });
      const output = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [1, 4]) });
      await session.release();
      const y = output.y?.data as Float32Array | undefined;
      const isRight = y?.[0] === 2 && y[3] === 5;
      results.push({ name: backend.name, bundled: backend.bundled, works: isRight, detail: isRight ? null : 'ran but gave wrong numbers' });
    } catch (error) {
      const firstLine = String((error as Error).message ?? error).split('\n')[0] ?? '';
      results.push({ name: backend.name, bundled: backend.bundled, works: false, detail: firstLine.replace(/^\S+\.cc:\d+ /, '').slice(0, 160) });
    }
  }
  return results;
}
