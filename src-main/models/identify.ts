// The one `identify(path)` the scan uses: sniffs the first bytes to pick a reader (never the file name),
// then asks that reader what the file is. Readers: safetensors header, ONNX interface (face models),
// CLIP tokenizer files, and engine/io's detectModel for torch zip/pickle files.
import { open, readFile, stat } from 'node:fs/promises';
import { identifyOnnxModel } from './identify-onnx.ts';
import { identifySafetensors } from './identify-safetensors.ts';
import { identifyTorchFile } from './identify-torch.ts';
import type { Identify, ModelIdentity } from './identity.ts';

export type FileFormat = 'safetensors' | 'torch-zip' | 'pickle' | 'onnx' | 'json' | 'bpe-merges' | 'unknown';

export interface IdentifierOptions {
  /** Identifies torch .bin/.ckpt (zip or legacy pickle); defaults to engine/io's detectModel. */
  readonly identifyTorchFile?: Identify;
}

/** Bump when what the identifier recognises changes: scan-cache entries from older versions are redone. */
export const IDENTIFIER_VERSION = '9';

export async function sniffFormat(file: string): Promise<{ format: FileFormat; sizeBytes: number }> {
  const handle = await open(file, 'r');
  try {
    const sizeBytes = (await handle.stat()).size;
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    if (bytesRead < 9) return { format: 'unknown', sizeBytes };
    const headerLength = head.readBigUInt64LE(0);
    if (head[8] === 0x7b && headerLength > 1n && headerLength < BigInt(sizeBytes)) return { format: 'safetensors', sizeBytes };
    if (head.readUInt32LE(0) === 0x04034b50) return { format: 'torch-zip', sizeBytes };
    if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5) return { format: 'pickle', sizeBytes };
    if (head.toString('latin1', 0, 8) === '#version') return { format: 'bpe-merges', sizeBytes };
    if (head[0] === 0x7b) return { format: 'json', sizeBytes };
    if (head[0] === 0x08) return { format: 'onnx', sizeBytes }; // ModelProto field 1 (ir_version), varint
    return { format: 'unknown', sizeBytes };
  } finally {
    await handle.close();
  }
}

const MAX_TOKENIZER_BYTES = 8 * 1024 * 1024;
const CLIP_VOCAB_SIZE = 49_408;
const CLIP_MERGES = 48_894;

async function identifyVocab(file: string, sizeBytes: number): Promise<ModelIdentity | null> {
  if (sizeBytes > MAX_TOKENIZER_BYTES) return null;
  try {
    const vocab = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    if (typeof vocab['<|startoftext|>'] !== 'number' || typeof vocab['<|endoftext|>'] !== 'number') return null;
    const tokens = Object.keys(vocab).length;
    return { kind: 'tokenizer-vocab', base: null, isFullSize: tokens >= CLIP_VOCAB_SIZE, summary: `CLIP BPE vocabulary (${tokens} tokens)` };
  } catch {
    return null;
  }
}

async function identifyMerges(file: string, sizeBytes: number): Promise<ModelIdentity | null> {
  if (sizeBytes > MAX_TOKENIZER_BYTES) return null;
  const lines = (await readFile(file, 'utf8')).split('\n').slice(1).filter((l) => l.length > 0);
  if (lines.length < 10 || !lines.slice(0, 1000).every((l) => l.split(' ').length === 2)) return null;
  return { kind: 'tokenizer-merges', base: null, isFullSize: lines.length >= CLIP_MERGES, summary: `CLIP BPE merges (${lines.length} merges)` };
}

export function createIdentifier(options: IdentifierOptions = {}): Identify {
  return async (file) => {
    // A diffusers folder (model_index.json, unet/, vae/, …) is one model: engine/io reads it as a whole.
    if ((await stat(file)).isDirectory()) return identifyTorchFile(file);
    const { format, sizeBytes } = await sniffFormat(file);
    switch (format) {
      case 'safetensors':
        return identifySafetensors(file);
      case 'onnx':
        return identifyOnnxModel(file, sizeBytes);
      case 'json':
        return identifyVocab(file, sizeBytes);
      case 'bpe-merges':
        return identifyMerges(file, sizeBytes);
      case 'torch-zip':
      case 'pickle':
        return (options.identifyTorchFile ?? identifyTorchFile)(file);
      case 'unknown':
        return null;
    }
  };
}
