// Writers for hand-made PyTorch archives in tests: a stored-entry zip and a protocol-2 pickle builder that emits
// the same opcodes torch.save does (and, for the hostile corpus, the ones an attacker would).
import { makeZip, type ZipMember } from './zip-writer.ts';

export type ZipInput = Omit<ZipMember, 'store'>;

/** A zip of stored entries, as torch.save writes it (local headers, data, central directory, end record). */
export function zipStored(entries: readonly ZipInput[]): Buffer {
  return makeZip(entries.map((entry) => ({ ...entry, store: true })));
}

/** Appends pickle opcodes; every method returns `this` so streams read like the disassembly. */
export class PickleWriter {
  private readonly bytes: number[] = [];

  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  proto(version = 2): this {
    return this.op(0x80, version);
  }
  text(value: string): this {
    const utf8 = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(utf8.length);
    return this.op(0x58, ...length, ...utf8); // BINUNICODE
  }
  int(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    return this.op(0x4a, ...b); // BININT
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1')); // GLOBAL
  }
  stackGlobal(module: string, name: string): this {
    return this.text(module).text(name).op(0x93); // STACK_GLOBAL
  }
  inst(module: string, name: string): this {
    return this.op(0x69, ...Buffer.from(`${module}\n${name}\n`, 'latin1')); // INST
  }
  mark(): this {
    return this.op(0x28);
  }
  tuple(): this {
    return this.op(0x74);
  }
  emptyTuple(): this {
    return this.op(0x29);
  }
  emptyDict(): this {
    return this.op(0x7d);
  }
  emptyList(): this {
    return this.op(0x5d);
  }
  reduce(): this {
    return this.op(0x52);
  }
  build(): this {
    return this.op(0x62);
  }
  setItems(): this {
    return this.op(0x75);
  }
  stop(): this {
    return this.op(0x2e);
  }
  ints(values: readonly number[]): this {
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface TensorSpec {
  readonly name: string;
  readonly storageKey: string;
  /** torch storage class name, e.g. FloatStorage. */
  readonly storageType: string;
  readonly storageNumel: number;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** Appends `_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())` as torch.save writes it. */
export function writeTensor(p: PickleWriter, t: TensorSpec): PickleWriter {
  p.global('torch._utils', '_rebuild_tensor_v2').mark();
  p.mark().text('storage').global('torch', t.storageType).text(t.storageKey).text('cpu').int(t.storageNumel).tuple().op(0x51); // BINPERSID
  p.int(t.offset).ints(t.shape).ints(t.strides).op(0x89); // NEWFALSE
  p.global('collections', 'OrderedDict').emptyTuple().reduce();
  return p.tuple().reduce();
}

/** The data.pkl of `torch.save({name: tensor, …})`, optionally nested under a key (e.g. state_dict). */
export function torchSavePickle(tensors: readonly TensorSpec[], wrapIn?: string): Uint8Array {
  const p = new PickleWriter().proto();
  if (wrapIn !== undefined) p.emptyDict().mark().text(wrapIn);
  p.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  for (const t of tensors) writeTensor(p.text(t.name), t);
  p.setItems();
  if (wrapIn !== undefined) p.text('global_step').int(1000).setItems();
  return p.stop().finish();
}

/**
 * A textual-inversion .pt as A1111's trainer saves it: torch.save({'string_to_token': {'*': 265},
 * 'string_to_param': {'*': Parameter([vectors, width])}, 'name': name, 'step': 3000}).
 */
export function a1111EmbeddingPt(name: string, vectors: Float32Array, width: number): Buffer {
  const p = new PickleWriter().proto().emptyDict().mark();
  p.text('string_to_token').emptyDict().text('*').int(265).op(0x73); // SETITEM
  p.text('string_to_param').emptyDict().text('*');
  p.global('torch._utils', '_rebuild_parameter').mark();
  writeTensor(p, { name: '*', storageKey: '0', storageType: 'FloatStorage', storageNumel: vectors.length, offset: 0, shape: [vectors.length / width, width], strides: [width, 1] });
  p.op(0x88).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce().op(0x73); // requires_grad True … SETITEM
  p.text('name').text(name).text('step').int(3000).setItems();
  return zipStored([
    { name: `${name}/data.pkl`, data: Buffer.from(p.stop().finish()) },
    { name: `${name}/byteorder`, data: Buffer.from('little') },
    { name: `${name}/data/0`, data: Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength) },
    { name: `${name}/version`, data: Buffer.from('3\n') },
  ]);
}
