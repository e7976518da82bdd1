// Textual-inversion names in prompts, found the way A1111 finds them (textual_inversion.py EmbeddingDatabase): each
// embedding's name is tokenized, and wherever the prompt's tokens hold that id sequence the embedding's vectors take
// those tokens' place. The longest name wins where several start at the same token. A name that is no embedding stays
// words. ComfyUI writes `embedding:name` (name with or without its extension); that becomes the bare name.
import type { ClipTokenizer } from './clip-tokenizer.ts';

/** One embedding as one text encoder sees it: the ids of its name and the vectors of that encoder's width. */
export interface PromptEmbedding {
  readonly name: string;
  readonly nameIds: readonly number[];
  readonly count: number;
  /** count × the encoder's hidden width. */
  readonly vectors: Float32Array;
}

export interface EmbeddingSource {
  readonly name: string;
  readonly count: number;
  readonly vectors: Float32Array;
}

export class EmbeddingLookup {
  readonly #byFirstId = new Map<number, PromptEmbedding[]>();

  constructor(tokenizer: ClipTokenizer, embeddings: readonly EmbeddingSource[]) {
    for (const embedding of embeddings) {
      const nameIds = tokenizer.encode(embedding.name);
      if (nameIds.length === 0) continue;
      const list = this.#byFirstId.get(nameIds[0]!) ?? [];
      list.push({ ...embedding, nameIds });
      list.sort((a, b) => b.nameIds.length - a.nameIds.length);
      this.#byFirstId.set(nameIds[0]!, list);
    }
  }

  /** The embedding whose name's ids start at `tokens[at]`, if any. */
  at(tokens: readonly number[], at: number): PromptEmbedding | undefined {
    return this.#byFirstId.get(tokens[at]!)?.find((e) => e.nameIds.every((id, k) => tokens[at + k] === id));
  }
}

const COMFY_EMBEDDING = /\bembedding:([^\s,()[\]<>:]+)/giu;
const EMBEDDING_EXTENSION = /\.(?:pt|safetensors|bin)$/iu;

/** ComfyUI's `embedding:name` (also `embedding:sub/name.pt`) as the bare name, for the names in `known`. */
export function resolveComfyEmbeddings(prompt: string, known: ReadonlySet<string>): string {
  return prompt.replace(COMFY_EMBEDDING, (whole, reference: string) => {
    const name = reference.split(/[\\/]/u).pop()!.replace(EMBEDDING_EXTENSION, '');
    return known.has(name) ? name : whole;
  });
}
