// The bytes "Export PNG" saves: the image with its settings in one `parameters` text chunk, as A1111 writes it, so
// A1111, ComfyUI and this studio's Generate drop load them back. The engine's own chunk is kept (it carries the model
// and LoRA hashes only the engine can compute); a picture without one gets the generation's infotext.
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { generationInfotext } from '../../../src-preload/contract/infotext.ts';
import { readPngTexts, setPngText } from '../../../src-preload/contract/png-text.ts';

export function exportedPng(generation: Generation, png: Uint8Array): Uint8Array {
  if (readPngTexts(png).parameters !== undefined) return png;
  return setPngText(png, 'parameters', generationInfotext(generation.params, { seed: generation.seed, version: 'FaceID Studio' }));
}
