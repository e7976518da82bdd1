// One entry point for "a file of named tensors": tells the container apart by its first bytes, never by its name.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { TensorFileIndex } from './descriptors.ts';
import { readPytorchZip } from './pytorch/pytorch-zip.ts';
import { MAX_HEADER_BYTES, readSafetensors } from './safetensors.ts';

/** Indexes a safetensors or PyTorch file; refuses everything else with a message naming what it looks like. */
export async function readTensorFile(file: string): Promise<TensorFileIndex> {
  const absolute = path.resolve(file);
  const head = await readHead(absolute, 16);
  const kind = sniff(head);
  if (kind === 'zip') return readPytorchZip(absolute);
  if (kind === 'legacy-pickle') throw legacyPytorch(absolute);
  if (kind === 'safetensors') {
    const index = await readSafetensors(absolute);
    return { ...index, format: 'safetensors' };
  }
  throw new StudioError('checkpoint.unsupported-format', {
    userMessage: `${path.basename(absolute)} is not a model file we can read${kind === 'unknown' ? '' : ` (it looks like ${kind})`}.`,
    hint: 'Choose a .safetensors file, a diffusers folder, or a PyTorch .bin/.ckpt saved by torch 1.6 or newer.',
  });
}

type Sniffed = 'zip' | 'legacy-pickle' | 'safetensors' | 'a PNG image' | 'a JPEG image' | 'a GGUF model' | 'an ONNX or other protobuf model' | 'unknown';

/** Names the container from its first bytes. */
export function sniff(head: Uint8Array): Sniffed {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'zip';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x47, 0x47, 0x55, 0x46)) return 'a GGUF model';
  // torch < 1.6 wrote a bare pickle (PROTO 2, then the magic number as a LONG1).
  if (starts(0x80, 0x02, 0x8a, 0x0a)) return 'legacy-pickle';
  // safetensors: u64 header length (its top bytes zero), then the JSON header, which starts with '{'. A plausible
  // length without the '{' is still read as safetensors so that a damaged header gets the precise error.
  if (head.length >= 9 && head[6] === 0 && head[7] === 0) {
    const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (head[8] === 0x7b || length <= BigInt(MAX_HEADER_BYTES)) return 'safetensors';
  }
  if (head.length >= 2 && head[0] === 0x08) return 'an ONNX or other protobuf model';
  return 'unknown';
}

async function readHead(file: string, length: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new StudioError('checkpoint.not-found', {
      userMessage: `${file} could not be opened.`,
      hint: 'Check that the file exists and that you may read it.',
      cause,
    });
  }
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function legacyPytorch(file: string): StudioError {
  return new StudioError('checkpoint.legacy-pytorch', {
    userMessage: `${path.basename(file)} is in the old PyTorch format (saved by torch before 1.6), which we do not read.`,
    hint: 'Convert it first: load it in Python with torch.load and save it again with safetensors.torch.save_file, or download the .safetensors version.',
  });
}
