// Generation parameters inside a picture someone drops on Generate: A1111 and this studio write a `parameters` text
// chunk in PNGs (A1111 the same text as the EXIF UserComment of JPEG and WebP); ComfyUI writes its node graph as
// JSON in `prompt`.
import { recallInfotext, type RecalledSettings } from '../../../src-preload/contract/infotext.ts';
import { readExifUserComment } from '../../../src-preload/contract/exif-text.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';
import { recallComfyPrompt, type ComfyNode } from './comfy-prompt.ts';

/** What a picture says, with models, LoRAs and the FaceID adapter still by name (the form resolves them). */
export interface ImportedParameters extends RecalledSettings {
  source: 'A1111' | 'ComfyUI';
}

export type ImportResult = { ok: true; value: ImportedParameters } | { ok: false; message: string };

function fromComfyPrompt(json: string): ImportResult {
  let nodes: unknown;
  try {
    nodes = JSON.parse(json);
  } catch {
    return { ok: false, message: 'The picture has ComfyUI data that is not valid JSON.' };
  }
  const recalled = typeof nodes === 'object' && nodes !== null ? recallComfyPrompt(nodes as Record<string, ComfyNode>) : undefined;
  if (recalled === undefined) return { ok: false, message: 'The picture has a ComfyUI workflow without a KSampler node, so there are no settings to load.' };
  return { ok: true, value: { source: 'ComfyUI', ...recalled } };
}

export function readImageParameters(bytes: Uint8Array): ImportResult {
  const texts = readPngTexts(bytes);
  if (texts.parameters !== undefined) return { ok: true, value: { source: 'A1111', ...recallInfotext(texts.parameters) } };
  if (texts.prompt !== undefined) return fromComfyPrompt(texts.prompt);
  const comment = readExifUserComment(bytes);
  if (comment !== undefined && comment.trim() !== '') return { ok: true, value: { source: 'A1111', ...recallInfotext(comment) } };
  return { ok: false, message: 'This picture carries no generation settings (no A1111 "parameters" or ComfyUI "prompt" text in the PNG, no EXIF UserComment in a JPEG or WebP).' };
}
