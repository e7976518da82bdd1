// `<lora:name:weight>` tags in a prompt become the job's LoRAs, looked up as A1111 does: by file stem among the LoRA
// files of the model folders. An unknown name or a weight that is no number stops the job before any work, naming
// the tag; A1111 would only log "Networks not found" and make a different picture than the prompt says.
import path from 'node:path';
import { LoraChoiceSchema, type GenerationParams } from '../../src-preload/contract/generation.ts';
import { fileStem } from '../../src-preload/contract/model-names.ts';
import { StudioError } from '../base/errors.ts';
import { promptLoras } from '../engine/text/extra-networks.ts';

/**
 * The params with each tagged LoRA added to `loras` (a file already chosen there takes the tag's strength).
 * `loraFiles` lists the LoRA files of the model folders; it is asked only when the prompt has tags.
 */
export async function withPromptLoras(params: GenerationParams, loraFiles: () => Promise<readonly string[]>): Promise<GenerationParams> {
  const tags = promptLoras(params.prompt);
  if (tags.length === 0) return params;
  const files = await loraFiles();
  const loras = [...params.loras];
  for (const tag of tags) {
    const file = files.find((f) => fileStem(f) === tag.name);
    if (file === undefined) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The prompt names the LoRA "${tag.name}" (<lora:${tag.name}:…>), but no LoRA file of that name is among ${files.length === 0 ? 'the LoRAs available' : `the ${files.length} available`}.`,
        hint: 'A tag names a LoRA file by its name without extension. The studio looks in its model folders (add one in Settings); `faceid generate` among its --lora files.',
      });
    }
    const strength = LoraChoiceSchema.shape.strength.safeParse(tag.weight);
    if (!strength.success) {
      throw new StudioError('generate.invalid-parameter', {
        userMessage: `The LoRA tag for "${tag.name}" has weight ${Number.isNaN(tag.weight) ? 'that is not a number' : tag.weight}; it must be a number from -2 to 2.`,
        hint: 'Write it as <lora:name:0.8>.',
      });
    }
    const existing = loras.findIndex((l) => path.resolve(l.file) === path.resolve(file));
    if (existing >= 0) loras[existing] = { file, strength: strength.data };
    else loras.push({ file, strength: strength.data });
  }
  return { ...params, loras };
}
