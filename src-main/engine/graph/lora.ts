// LoRA as a runtime low-rank branch: y = W·x + Σᵢ sᵢ·(alphaᵢ/rank)·U·(D·x), with the strengths sᵢ a graph input
// (`lora_strengths`, one float per LoRA file, in compile order). Changing a strength is a new input value: no
// checkpoint read, no recompilation, no session reload. Why a branch and not merged weights: see README
// "Graph compiler → LoRA mechanism" (measured there).
import type { LoraEntry } from '../io/lora.ts';
import type { Conv2dOptions, GraphBuilder, Value } from './graph-builder.ts';

export type { LoraEntry };

/** One LoRA file's pairs, resolved to canonical weights by io/lora.ts (`resolveLora`). */
export interface LoraSource {
  /** Shown in messages and summaries: the file name. */
  readonly label: string;
  readonly entries: readonly LoraEntry[];
  /** LoRA tensors of the file whose names matched no weight of the checkpoint (reported, not fatal). */
  readonly unmatchedTensors: number;
}

export const LORA_STRENGTHS_INPUT = 'lora_strengths';

/** The LoRAs of one compilation, indexed by target weight; tracks which entries a graph consumed. */
export class LoraSet {
  readonly sources: readonly LoraSource[];
  private readonly byTarget = new Map<string, { index: number; entry: LoraEntry }[]>();
  private readonly used = new Set<LoraEntry>();
  private strengthValues = new Map<GraphBuilder, Value[]>();

  constructor(sources: readonly LoraSource[]) {
    this.sources = sources;
    sources.forEach((source, index) => {
      for (const entry of source.entries) {
        const list = this.byTarget.get(entry.target) ?? [];
        list.push({ index, entry });
        this.byTarget.set(entry.target, list);
      }
    });
  }

  get size(): number {
    return this.sources.length;
  }

  /** True when some LoRA targets a weight whose name starts with `prefix` (e.g. "text_encoder."). */
  touches(prefix: string): boolean {
    for (const target of this.byTarget.keys()) if (target.startsWith(prefix)) return true;
    return false;
  }

  /** Declares the `lora_strengths [n]` input on `g`; call once per graph that may use LoRAs. */
  declareInput(g: GraphBuilder): void {
    if (this.strengthValues.has(g) || this.sources.length === 0) return;
    const input = g.input(LORA_STRENGTHS_INPUT, 'float', [this.sources.length]);
    this.strengthValues.set(g, this.sources.map((_, i) => g.op('Gather', [input, g.constInt64(i)], { axis: 0 })));
  }

  private scaleOf(g: GraphBuilder, index: number, entry: LoraEntry): Value {
    const strength = this.strengthValues.get(g)?.[index];
    if (!strength) throw new Error(`LoraSet.declareInput was not called for graph ${g.name}`);
    const rank = entry.down.shape[0]!;
    const factor = entry.alpha === undefined ? 1 : entry.alpha / rank;
    return factor === 1 ? strength : g.op('Mul', [strength, g.constFloat(factor)]);
  }

  /** y + Σ s·U·D·x for a Linear weight. */
  applyLinear(g: GraphBuilder, x: Value, y: Value, target: string): Value {
    const entries = this.byTarget.get(target);
    if (!entries) return y;
    let out = y;
    for (const { index, entry } of entries) {
      this.used.add(entry);
      const down = g.weight(entry.down, entry.down.shape.slice(0, 2));
      const up = g.weight(entry.up, entry.up.shape.slice(0, 2));
      const low = g.op('MatMul', [x, g.op('Transpose', [down], { perm: [1, 0] })]);
      const delta = g.op('MatMul', [low, g.op('Transpose', [up], { perm: [1, 0] })]);
      out = g.op('Add', [out, g.op('Mul', [delta, this.scaleOf(g, index, entry)])]);
    }
    return out;
  }

  /** y + Σ s·Conv1×1(U, Conv(D, x)) for a Conv2d weight (LoCon: D carries the kernel, U is 1×1). */
  applyConv(g: GraphBuilder, x: Value, y: Value, target: string, options: Conv2dOptions): Value {
    const entries = this.byTarget.get(target);
    if (!entries) return y;
    let out = y;
    for (const { index, entry } of entries) {
      this.used.add(entry);
      const kernel = entry.down.shape.length === 4 ? entry.down.shape.slice(2) : [1, 1];
      const down = g.weight(entry.down, [entry.down.shape[0]!, entry.down.shape[1]!, ...kernel]);
      const up = g.weight(entry.up, [entry.up.shape[0]!, entry.up.shape[1]!, 1, 1]);
      const padding = kernel[0] === 1 ? 0 : (options.padding ?? 0);
      const stride = options.stride ?? 1;
      const low = g.op('Conv', [x, down], { pads: [padding, padding, padding, padding], strides: [stride, stride] });
      const delta = g.op('Conv', [low, up]);
      out = g.op('Add', [out, g.op('Mul', [delta, this.scaleOf(g, index, entry)])]);
    }
    return out;
  }

  /** Per source: how many of its entries no compiled graph consumed. */
  unusedCounts(): number[] {
    return this.sources.map((source) => source.entries.filter((e) => !this.used.has(e)).length);
  }
}
