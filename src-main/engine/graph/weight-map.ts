// Named checkpoint tensors for the graph builders: lookups that fail with errors a user can act on.
import type { TensorDescriptor } from '../io/descriptors.ts';
import { StudioError } from '../../base/errors.ts';

export class WeightMap {
  private readonly tensors: ReadonlyMap<string, TensorDescriptor>;
  /** What the tensors came from, for messages (e.g. "sd15.safetensors"). */
  readonly source: string;

  constructor(tensors: ReadonlyMap<string, TensorDescriptor>, source: string) {
    this.tensors = tensors;
    this.source = source;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  names(): IterableIterator<string> {
    return this.tensors.keys();
  }

  /**
   * The tensor `name`; `shape` (when given) is checked, with `undefined` entries accepting any size and a trailing
   * run of 1s in the stored shape ignored (LDM stores some linear weights as [out,in,1,1]).
   */
  get(name: string, shape?: readonly (number | undefined)[]): TensorDescriptor {
    const tensor = this.tensors.get(name);
    if (!tensor) {
      throw new StudioError('compile.missing-tensor', {
        userMessage: `${this.source} has no tensor "${name}", which this model needs.`,
        hint: 'The file is incomplete or is not the kind of model it was opened as (for example an SDXL or inpainting file where SD1.5 was expected).',
      });
    }
    if (shape && !shapeMatches(tensor.shape, shape)) {
      throw new StudioError('compile.wrong-shape', {
        userMessage: `${this.source}: tensor "${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.map((d) => d ?? '?').join(', ')}].`,
        hint: 'The file does not match the architecture its other tensors describe; it may be damaged or a different model variant.',
      });
    }
    return tensor;
  }

  /** The tensor if present (optional biases), else undefined. */
  optional(name: string, shape?: readonly (number | undefined)[]): TensorDescriptor | undefined {
    return this.tensors.has(name) ? this.get(name, shape) : undefined;
  }

  /** The shape of `name` (throws compile.missing-tensor when absent). */
  shape(name: string): readonly number[] {
    return this.get(name).shape;
  }
}

function shapeMatches(actual: readonly number[], expected: readonly (number | undefined)[]): boolean {
  let trimmed = actual;
  while (trimmed.length > expected.length && trimmed[trimmed.length - 1] === 1) trimmed = trimmed.slice(0, -1);
  if (trimmed.length !== expected.length) return false;
  return expected.every((d, i) => d === undefined || d === trimmed[i]);
}
