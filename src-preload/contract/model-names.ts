// How A1111 and ComfyUI users' model files are named (h94's FaceID files, `<lora:…>` names): a name is only a hint,
// used where nothing else is known (a dropped picture, an export for another tool); the studio identifies its own
// files by content.
import type { FaceIdVariant } from './generation.ts';

/** A file's name without folders and model extension: the name A1111 shows and `<lora:…>` tags use. */
export function fileStem(file: string): string {
  return (file.split(/[\\/]/u).at(-1) ?? file).replace(/\.(safetensors|ckpt|bin|pt|pth|onnx|sft)$/iu, '');
}

/** A model's name for people: its file stem, or its folder's name for a diffusers weights file (diffusion_pytorch_model…). */
export function modelName(file: string): string {
  const parts = file.split(/[\\/]/u);
  const stem = fileStem(file);
  return /^diffusion_pytorch_model(\.fp16)?$/u.test(stem) && parts.length > 1 ? parts[parts.length - 2]! : stem;
}

/** The name A1111 users give the FaceID adapter's LoRA (h94's files: `<adapter>_lora.safetensors`). */
export function faceIdLoraName(adapter: string): string {
  return `${fileStem(adapter)}_lora`;
}

/** The variant an adapter file is, from its name (most specific first); undefined for a file that is no FaceID adapter. */
export function variantOfFile(name: string): FaceIdVariant | undefined {
  const lower = name.toLowerCase();
  if (!lower.includes('faceid')) return undefined;
  if (lower.includes('portrait')) return 'faceid-portrait';
  if (/plus[-_]?v2/.test(lower)) return 'faceid-plusv2';
  if (lower.includes('plus')) return 'faceid-plus';
  return 'faceid';
}
