// Textual-inversion embeddings for a job: the embedding files of the model folders (A1111's and ComfyUI's
// `embeddings/`) whose names the prompts mention. The engine finds the names among the prompt's tokens as A1111 does
// (engine/text/prompt-embeddings.ts); this only keeps the job from reading every embedding the user owns. A name the
// prompts mention that is no embedding file stays words, as in A1111.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { GenerationParams } from '../../src-preload/contract/generation.ts';
import { fileStem } from '../../src-preload/contract/model-names.ts';
import { StudioError } from '../base/errors.ts';

/** The extensions A1111 loads embeddings from (its image embeddings aside). */
const EMBEDDING_FILE = /\.(?:pt|safetensors|bin)$/iu;

/** The params with `embeddings` set to those of `embeddingFiles` whose file stem occurs in a prompt (any case). */
export async function withPromptEmbeddings(params: GenerationParams, embeddingFiles: () => Promise<readonly string[]>): Promise<GenerationParams> {
  const text = [params.prompt, params.negativePrompt, params.faceDetail?.prompt ?? ''].join('\n').toLowerCase();
  const mentioned = (await embeddingFiles()).filter((file) => text.includes(fileStem(file).toLowerCase()));
  const embeddings = [...new Set([...params.embeddings, ...mentioned].map((file) => path.resolve(file)))];
  return { ...params, embeddings };
}

/** The embedding files in a folder and its subfolders (A1111 reads its embeddings folder that way). */
export async function embeddingFilesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((cause: unknown) => {
    throw new StudioError('generate.invalid-parameter', { userMessage: `The embeddings folder ${folder} cannot be read: ${(cause as Error).message}`, hint: 'Give a folder of .pt/.safetensors embeddings.', cause });
  });
  return entries.filter((e) => e.isFile() && EMBEDDING_FILE.test(e.name)).map((e) => path.join(e.parentPath, e.name)).sort();
}
