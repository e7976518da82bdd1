// kohya/A1111 LoRA files whose module names are diffusers paths with '.' → '_' (`lora_unet_down_blocks_0_…_to_q`,
// `lora_te_text_model_encoder_layers_0_self_attn_q_proj`), matched against the checkpoint's canonical weights.
// Keys: `<module>.lora_down.weight`, `<module>.lora_up.weight`, optional `<module>.alpha` (scalar).
// Names in original-LDM form (`lora_unet_input_blocks_…`) need the checkpoint reader's LDM tables and are reported
// as unmatched here.
import { readTensorFloat32, type TensorDescriptor } from '../io/descriptors.ts';
import type { LoraEntry, LoraSource } from './lora.ts';

const COMPONENT_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['lora_unet_', 'unet.'],
  ['lora_te1_', 'text_encoder.'],
  ['lora_te2_', 'text_encoder_2.'],
  ['lora_te_', 'text_encoder.'],
];

export interface MatchedLora extends LoraSource {
  /** LoRA modules (down/up pairs) whose name matched no weight of the checkpoint. */
  readonly unmatchedModules: readonly string[];
  readonly moduleCount: number;
}

/** Matches a LoRA file's modules to canonical weight names (`canonicalNames` = every tensor of the checkpoint). */
export async function matchKohyaLora(label: string, tensors: ReadonlyMap<string, TensorDescriptor>, canonicalNames: Iterable<string>): Promise<MatchedLora> {
  const byFlatName = new Map<string, string>();
  for (const name of canonicalNames) {
    if (!name.endsWith('.weight')) continue;
    const component = COMPONENT_PREFIXES.find(([, prefix]) => name.startsWith(prefix));
    if (!component) continue;
    const module = name.slice(component[1].length, -'.weight'.length);
    for (const [loraPrefix, prefix] of COMPONENT_PREFIXES) {
      if (prefix === component[1]) byFlatName.set(`${loraPrefix}${module.replaceAll('.', '_')}`, name);
    }
  }
  const modules = new Set<string>();
  for (const key of tensors.keys()) {
    const match = /^(.*)\.(lora_down\.weight|lora_up\.weight|alpha)$/.exec(key);
    if (match) modules.add(match[1]!);
  }
  const entries: LoraEntry[] = [];
  const unmatchedModules: string[] = [];
  for (const module of modules) {
    const target = byFlatName.get(module);
    const down = tensors.get(`${module}.lora_down.weight`);
    const up = tensors.get(`${module}.lora_up.weight`);
    if (!target || !down || !up) {
      unmatchedModules.push(module);
      continue;
    }
    const alphaTensor = tensors.get(`${module}.alpha`);
    const alpha = alphaTensor ? (await readTensorFloat32(alphaTensor))[0] : undefined;
    entries.push({ target, down, up, ...(alpha === undefined ? {} : { alpha }) });
  }
  return { label, entries, unmatchedModules, moduleCount: modules.size };
}
