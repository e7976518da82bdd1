// "Export PNG": the image with its settings in a `parameters` text chunk, as A1111 writes it, so A1111, ComfyUI
// (and this studio's Generate drop) can load them back.
import { formatA1111Parameters } from '../../../src-preload/contract/a1111-parameters.ts';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { addPngText } from '../../../src-preload/contract/png-text.ts';

function baseName(file: string): string {
  return (file.split(/[\\/]/).at(-1) ?? file).replace(/\.(safetensors|ckpt|bin|pt|pth|onnx)$/i, '');
}

export function parametersText(generation: Generation): string {
  const { params } = generation;
  const extra: Record<string, string | number> = {};
  if (params.faceid !== undefined) {
    extra['FaceID adapter'] = baseName(params.faceid.adapter);
    extra['FaceID weight'] = params.faceid.faceWeight;
    extra['FaceID structure'] = params.faceid.structure;
    extra['FaceID LoRA'] = params.faceid.loraWeight;
  }
  if (generation.identityScore !== null) extra['Identity score'] = Number(generation.identityScore.toFixed(4));
  return formatA1111Parameters({
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    steps: params.steps,
    sampler: params.sampler,
    cfg: params.cfg,
    seed: generation.seed,
    width: generation.width,
    height: generation.height,
    clipSkip: params.clipSkip,
    model: baseName(params.model),
    ...(params.img2img === undefined ? {} : { denoisingStrength: params.img2img.strength }),
    ...(params.inpaint === undefined ? {} : { maskBlur: params.inpaint.featherPx }),
    extra,
    version: 'FaceID Studio',
  });
}

/** Downloads the generation's PNG with its parameters written in. */
export async function exportPng(generation: Generation, imageUrl: string): Promise<void> {
  const response = await fetch(imageUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`the image could not be read (${response.status} ${response.statusText})`);
  const png = addPngText(new Uint8Array(await response.arrayBuffer()), 'parameters', parametersText(generation));
  const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `faceid-${generation.seed}-${generation.id.slice(0, 8)}.png`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
