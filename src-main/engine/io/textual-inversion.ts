// Textual-inversion embeddings (A1111 and ComfyUI `embeddings/` folders) as the vectors they hold, in the forms
// A1111's textual_inversion.py create_embedding_from_data reads:
//   .pt (torch.save of A1111's trainer): `string_to_param` {'*': [n, width]} beside string_to_token, name, step…
//   .safetensors / .pt of other trainers: `emb_params` [n, width], or a file holding one tensor;
//   SDXL: `clip_l` [n, 768] and `clip_g` [n, 1280], one set per text encoder.
// The embedding is known by its file stem, as A1111 names it.
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { readTensorFloat32, type TensorDescriptor } from './descriptors.ts';
import { readTensorFile } from './tensor-file.ts';

/** Which set of a file's vectors a text encoder takes: `single` for files with one set (SD1.5), else SDXL's keys. */
export type TextualInversionKey = 'single' | 'clip_l' | 'clip_g';

export interface EmbeddingVectors {
  readonly count: number;
  readonly width: number;
  /** count × width, row-major. */
  readonly data: Float32Array;
}

export interface TextualInversion {
  /** The file stem: the word that stands for the embedding in a prompt. */
  readonly name: string;
  readonly file: string;
  /** Vector count (each takes one token position). */
  readonly count: number;
  readonly vectors: Readonly<Partial<Record<TextualInversionKey, EmbeddingVectors>>>;
}

/** A1111 tokenizes each 75-token chunk on its own: an embedding longer than that cannot be placed. */
export const MAX_EMBEDDING_VECTORS = 75;

export async function readTextualInversion(file: string): Promise<TextualInversion> {
  const what = path.basename(file);
  const { tensors } = await readTensorFile(file);
  const sets = vectorSets(tensors);
  if (sets === undefined) {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: `${what} is not a textual-inversion embedding: it has no string_to_param, emb_params or clip_l/clip_g vectors (it holds ${tensors.size} tensors).`,
      hint: 'Keep only embedding files (a few KB) in the embeddings folder.',
    });
  }
  const vectors: Partial<Record<TextualInversionKey, EmbeddingVectors>> = {};
  for (const [key, descriptor] of Object.entries(sets) as [TextualInversionKey, TensorDescriptor][]) {
    const shape = descriptor.shape.length === 1 ? [1, descriptor.shape[0]!] : descriptor.shape;
    if (shape.length !== 2 || shape[0]! < 1 || shape[1]! < 1) {
      throw new StudioError('checkpoint.bad-tensor', { userMessage: `${what}: the embedding vectors "${descriptor.name}" have shape [${descriptor.shape.join(', ')}], not [vectors, width].`, hint: 'Download the embedding again.' });
    }
    vectors[key] = { count: shape[0]!, width: shape[1]!, data: await readTensorFloat32(descriptor) };
  }
  const counts = new Set(Object.values(vectors).map((v) => v.count));
  const count = [...counts][0]!;
  if (counts.size !== 1) {
    throw new StudioError('checkpoint.bad-tensor', { userMessage: `${what}: its clip_l and clip_g vectors differ in number (${[...counts].join(' and ')}).`, hint: 'Download the embedding again.' });
  }
  if (count > MAX_EMBEDDING_VECTORS) {
    throw new StudioError('checkpoint.bad-tensor', { userMessage: `${what} has ${count} vectors; a prompt chunk holds ${MAX_EMBEDDING_VECTORS}.`, hint: 'Use an embedding with fewer vectors.' });
  }
  return { name: path.basename(file, path.extname(file)), file: path.resolve(file), count, vectors };
}

/**
 * The vector sets of a file in one of the named embedding forms (clip_l/clip_g, string_to_param, emb_params); a
 * file of one tensor under another name is read as an embedding only when offered as one (readTextualInversion).
 */
export function namedEmbeddingSets(tensors: ReadonlyMap<string, TensorDescriptor>): Partial<Record<TextualInversionKey, TensorDescriptor>> | undefined {
  const clipL = tensors.get('clip_l');
  const clipG = tensors.get('clip_g');
  if (clipL && clipG) return { clip_l: clipL, clip_g: clipG };
  // A1111 takes the first entry of string_to_param (its trainer writes the one placeholder '*').
  const single = [...tensors.entries()].find(([name]) => name.startsWith('string_to_param.'))?.[1] ?? tensors.get('emb_params');
  return single ? { single } : undefined;
}

function vectorSets(tensors: ReadonlyMap<string, TensorDescriptor>): Partial<Record<TextualInversionKey, TensorDescriptor>> | undefined {
  return namedEmbeddingSets(tensors) ?? (tensors.size === 1 ? { single: [...tensors.values()][0]! } : undefined);
}
