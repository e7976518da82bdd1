// PyTorch zip checkpoints (torch.save since 1.6: .bin/.ckpt/.pt) as tensor descriptors pointing into the
// archive's stored `data/<key>` records. Views into shared storages keep their offsets; non-row-major views
// keep their strides (so `isContiguous` is false for them and they are never handed out as external data).
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../../base/errors.ts';
import { DTYPE_BYTES } from '../../tensors/dtype.ts';
import { elementCount, rowMajorStrides, type TensorDescriptor, type TensorFileIndex } from '../descriptors.ts';
import { PyDict, PyTensor, unpickle, type PyValue } from './pickle.ts';
import { badZip, readZipEntries, type ZipEntry } from './zip.ts';

/** data.pkl of real checkpoints is under a few MB (SDXL: ~0.5 MB); a bigger one is not a model file. */
const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

export async function readPytorchZip(file: string): Promise<TensorFileIndex> {
  const what = path.basename(file);
  const sizeBytes = (await stat(file)).size;
  const entries = await readZipEntries(file, sizeBytes);
  // The archive prefix is whatever the writer chose (the file's base name at save time, or "archive").
  const first = entries.keys().next().value;
  const prefix = first === undefined || !first.includes('/') ? '' : first.slice(0, first.indexOf('/') + 1);
  const pickleEntry = entries.get(`${prefix}data.pkl`);
  if (!pickleEntry) throw badZip(what, `it has no ${prefix}data.pkl record, so it is a zip file but not a PyTorch checkpoint`);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && (await readEntry(file, byteorder, what)).toString('latin1').trim() !== 'little') {
    throw new StudioError('checkpoint.unsupported-format', {
      userMessage: `${what} was saved on a big-endian machine, which we do not read.`,
      hint: 'Save it again on a usual (little-endian) PC, or get the .safetensors version.',
    });
  }
  const root = unpickle(await readEntry(file, pickleEntry, what), { what });
  const tensors = new Map<string, TensorDescriptor>();
  flatten(unwrapStateDict(root), '', (name, tensor) => {
    tensors.set(name, describeTensor(file, what, name, tensor, entries, prefix));
  });
  return { file, format: 'pytorch-zip', sizeBytes, metadata: {}, tensors };
}

/** Lightning/LDM checkpoints keep the weights under `state_dict`. */
function unwrapStateDict(root: PyValue): PyValue {
  if (root instanceof PyDict) {
    const inner = root.entries.get('state_dict');
    if (inner instanceof PyDict) return inner;
  }
  return root;
}

/** Walks nested dicts, joining keys with '.'; non-tensor leaves (epoch, global_step…) are skipped. */
function flatten(value: PyValue, prefix: string, visit: (name: string, tensor: PyTensor) => void): void {
  if (value instanceof PyTensor) {
    visit(prefix, value);
    return;
  }
  if (!(value instanceof PyDict)) return;
  for (const [key, child] of value.entries) {
    flatten(child, prefix === '' ? String(key) : `${prefix}.${String(key)}`, visit);
  }
}

function describeTensor(file: string, what: string, name: string, tensor: PyTensor, entries: ReadonlyMap<string, ZipEntry>, prefix: string): TensorDescriptor {
  const { storage, storageOffset, shape, strides } = tensor;
  const record = entries.get(`${prefix}data/${storage.key}`);
  if (!record) throw badZip(what, `tensor "${name}" lives in storage record data/${storage.key}, which the archive does not have`);
  if (record.method !== 0) {
    throw new StudioError('checkpoint.unsupported-format', {
      userMessage: `${what} stores tensor data compressed (record data/${storage.key}), which torch.save never does.`,
      hint: 'Save the checkpoint again with torch.save or safetensors, without re-zipping it.',
    });
  }
  const elementBytes = DTYPE_BYTES[storage.dtype];
  if (storage.numel * elementBytes > record.size) {
    throw badZip(what, `storage data/${storage.key} should hold ${storage.numel} elements but its record has only ${record.size} bytes`);
  }
  const numel = elementCount(shape);
  // Index of the last element the view touches: offset + Σ (size_k − 1)·stride_k.
  const last = numel === 0 ? storageOffset : shape.reduce((sum, size, k) => sum + (size - 1) * strides[k]!, storageOffset);
  if (numel > 0 && last >= storage.numel) {
    throw new StudioError('checkpoint.bad-tensor', {
      userMessage: `${what} is damaged: tensor "${name}" reaches element ${last} of a storage that has ${storage.numel}.`,
      hint: 'Download the file again.',
    });
  }
  const rowMajor = rowMajorStrides(shape);
  const contiguous = shape.every((size, k) => size === 1 || strides[k] === rowMajor[k]);
  const offset = record.offset + storageOffset * elementBytes;
  if (contiguous) return { name, dtype: storage.dtype, shape, file, offset, byteLength: numel * elementBytes };
  return { name, dtype: storage.dtype, shape, file, offset, byteLength: (last - storageOffset + 1) * elementBytes, strides };
}

async function readEntry(file: string, entry: ZipEntry, what: string): Promise<Buffer> {
  if (entry.method !== 0) throw badZip(what, `record ${entry.name} is compressed, which torch.save never does`);
  if (entry.size > MAX_PICKLE_BYTES) throw badZip(what, `record ${entry.name} declares ${entry.size} bytes, far more than any checkpoint index`);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(entry.size);
    const { bytesRead } = await handle.read(buffer, 0, entry.size, entry.offset);
    if (bytesRead !== entry.size) throw badZip(what, `record ${entry.name} is cut short`);
    return buffer;
  } finally {
    await handle.close();
  }
}
