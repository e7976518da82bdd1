// A1111's extra-network tags in prompts (modules/extra_networks.py parse_prompt): every `<kind:name:arg…>` is taken
// out of the text before it is tokenized; `<lora:name:weight>` applies the LoRA whose file stem is `name` at that
// strength (1 when the weight is left out, A1111's te_multiplier default).
const EXTRA_NETWORK_TAG = /<(\w+):([^>]+)>/gu;

interface PromptLora {
  /** The LoRA's name as A1111 looks it up: a file stem in the LoRA folders. */
  readonly name: string;
  readonly weight: number;
}

/** The prompt without its extra-network tags, as the text encoder gets it. */
export function stripExtraNetworks(prompt: string): string {
  return prompt.replace(EXTRA_NETWORK_TAG, '');
}

/**
 * The `<lora:…>` tags of a prompt, in order.
 *
 * @example promptLoras('a cat <lora:film grain:0.7>') // [{ name: 'film grain', weight: 0.7 }]
 */
export function promptLoras(prompt: string): PromptLora[] {
  const loras: PromptLora[] = [];
  for (const [, kind, args] of prompt.matchAll(EXTRA_NETWORK_TAG)) {
    if (kind!.toLowerCase() !== 'lora') continue;
    const [name = '', weight] = args!.split(':');
    const strength = weight === undefined || weight.trim() === '' ? 1 : Number(weight);
    loras.push({ name: name.trim(), weight: Number.isFinite(strength) ? strength : Number.NaN });
  }
  return loras;
}
