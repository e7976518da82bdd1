// A pickle interpreter that executes nothing. It implements the opcodes torch.save's pickles use and knows a
// short allowlist of globals, each of which it *emulates* (builds a plain value) instead of calling. Any other
// global is refused the moment it is named, with `checkpoint.unsafe`. This mirrors the allowlist of PyTorch's
// own weights-only unpickler (torch/_weights_only_unpickler.py), read for reference.
import { StudioError } from '../../../base/errors.ts';
import type { DType } from '../../tensors/dtype.ts';

export class PyTuple {
  readonly items: readonly PyValue[];
  constructor(items: readonly PyValue[]) {
    this.items = items;
  }
}
export class PyList {
  readonly items: PyValue[] = [];
}
export class PyDict {
  readonly entries = new Map<string | number | boolean | null, PyValue>();
}
/** A global from the allowlist; only its emulation can ever be "called". */
export class PyGlobal {
  readonly qualifiedName: string;
  constructor(qualifiedName: string) {
    this.qualifiedName = qualifiedName;
  }
}
/** A storage named by a persistent id: which zip record holds it, its element type and size. */
export class StorageRef {
  readonly key: string;
  readonly dtype: DType;
  readonly numel: number;
  constructor(key: string, dtype: DType, numel: number) {
    this.key = key;
    this.dtype = dtype;
    this.numel = numel;
  }
}
/** `_rebuild_tensor_v2(storage, offset, size, stride, …)`: a view into a storage, in elements. */
export class PyTensor {
  readonly storage: StorageRef;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  constructor(storage: StorageRef, storageOffset: number, shape: readonly number[], strides: readonly number[]) {
    this.storage = storage;
    this.storageOffset = storageOffset;
    this.shape = shape;
    this.strides = strides;
  }
}
/** A harmless value we do not need (a numpy scalar, bytes, a float): kept only so the stream stays in step. */
export class PyOpaque {
  readonly what: string;
  constructor(what: string) {
    this.what = what;
  }
}

export type PyValue = number | bigint | string | boolean | null | Uint8Array | PyTuple | PyList | PyDict | PyGlobal | StorageRef | PyTensor | PyOpaque;

const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.DoubleStorage': 'F64',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

/** Emulated as inert opaque values when called (they only build numbers, bytes and arrays in Python). */
const OPAQUE_BUILDERS = [
  '_codecs.encode',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.dtype',
  'builtins.set',
  '__builtin__.set',
];

/** May be named (as a dictionary key or an argument), never called. */
const TAG_ONLY = ['pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint', 'numpy.ndarray'];

/** Globals a checkpoint may name. Storage classes and tensor types are tags; the rest are emulated in `call`. */
const ALLOWED_GLOBALS = new Set([
  ...Object.keys(STORAGE_DTYPES),
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  'torch.Size',
  // Lightning .ckpt files (the original SD 1.x releases) keep `global_step` and callback state as numpy
  // values and key callback state by the callback class: emulated as opaque values / used as a name only.
  ...OPAQUE_BUILDERS,
  ...TAG_ONLY,
]);

export interface UnpickleOptions {
  /** Shown in error messages: the file (and record) being read. */
  readonly what: string;
}

/** Runs the pickle `bytes` and returns the object it builds. Throws StudioError on anything unsafe or malformed. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  return new Unpickler(bytes, options.what).run();
}

/**
 * Objects a pickle may build. Real checkpoints build about six per tensor (a few thousand tensors); the cap
 * keeps a hostile pickle of millions of one-byte EMPTY_LIST opcodes from exhausting memory.
 */
const MAX_OBJECTS = 1_000_000;
/** Values of any kind pushed (bounds the stack and memo as well). */
const MAX_PUSHES = 10_000_000;

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

class Unpickler {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly what: string;
  private at = 0;
  private stack: StackItem[] = [];
  private readonly marks: StackItem[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private objects = 0;
  private pushes = 0;

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.what = what;
  }

  run(): PyValue {
    for (;;) {
      const opcode = this.u8();
      switch (opcode) {
        case 0x80: this.u8(); break; // PROTO
        case 0x95: this.take(8); break; // FRAME: framing is only a read-ahead hint
        case 0x2e: return this.pop(); // STOP
        case 0x28: this.marks.push(this.stack); this.stack = []; break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.peek()); break; // DUP
        case 0x7d: this.push(new PyDict()); break; // EMPTY_DICT
        case 0x5d: this.push(new PyList()); break; // EMPTY_LIST
        case 0x29: this.push(new PyTuple([])); break; // EMPTY_TUPLE
        case 0x74: this.push(new PyTuple(this.popMark())); break; // TUPLE
        case 0x85: this.push(new PyTuple(this.popN(1))); break; // TUPLE1
        case 0x86: this.push(new PyTuple(this.popN(2))); break; // TUPLE2
        case 0x87: this.push(new PyTuple(this.popN(3))); break; // TUPLE3
        case 0x6c: { const list = new PyList(); list.items.push(...this.popMark()); this.push(list); break; } // LIST
        case 0x64: { const dict = new PyDict(); this.setItems(dict, this.popMark()); this.push(dict); break; } // DICT
        case 0x61: { const value = this.pop(); this.listOnTop().items.push(value); break; } // APPEND
        case 0x65: { const values = this.popMark(); this.listOnTop().items.push(...values); break; } // APPENDS
        case 0x73: { const [key, value] = this.popN(2); this.setItems(this.dictOnTop(), [key!, value!]); break; } // SETITEM
        case 0x75: { const items = this.popMark(); this.setItems(this.dictOnTop(), items); break; } // SETITEMS
        case 0x4a: this.push(this.view.getInt32(this.advance(4), true)); break; // BININT
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.view.getUint16(this.advance(2), true)); break; // BININT2
        case 0x8a: this.push(this.long(this.u8())); break; // LONG1
        case 0x8b: this.push(this.long(this.length(this.view.getUint32(this.advance(4), true)))); break; // LONG4
        case 0x49: this.push(this.textInt(this.line())); break; // INT
        case 0x4c: this.push(this.textInt(this.line().replace(/L$/, ''))); break; // LONG
        case 0x47: this.push(this.view.getFloat64(this.advance(8), false)); break; // BINFLOAT
        case 0x46: this.push(Number.parseFloat(this.line())); break; // FLOAT
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        case 0x58: this.push(this.utf8(this.length(this.view.getUint32(this.advance(4), true)))); break; // BINUNICODE
        case 0x8c: this.push(this.utf8(this.u8())); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.utf8(this.length(this.u64()))); break; // BINUNICODE8
        case 0x56: this.push(this.line()); break; // UNICODE (raw-unicode-escape; plain ASCII in practice)
        case 0x55: this.push(this.latin1(this.u8())); break; // SHORT_BINSTRING
        case 0x54: this.push(this.latin1(this.length(this.view.getInt32(this.advance(4), true)))); break; // BINSTRING
        case 0x53: this.push(this.line().replace(/^(['"])(.*)\1$/, '$2')); break; // STRING
        case 0x42: this.push(this.take(this.length(this.view.getUint32(this.advance(4), true))).slice()); break; // BINBYTES
        case 0x43: this.push(this.take(this.u8()).slice()); break; // SHORT_BINBYTES
        case 0x8e: this.push(this.take(this.length(this.u64())).slice()); break; // BINBYTES8
        case 0x71: this.memo.set(this.u8(), this.peek()); break; // BINPUT
        case 0x72: this.memo.set(this.view.getUint32(this.advance(4), true), this.peek()); break; // LONG_BINPUT
        case 0x70: this.memo.set(Number(this.line()), this.peek()); break; // PUT
        case 0x94: this.memo.set(this.memo.size, this.peek()); break; // MEMOIZE
        case 0x68: this.push(this.recall(this.u8())); break; // BINGET
        case 0x6a: this.push(this.recall(this.view.getUint32(this.advance(4), true))); break; // LONG_BINGET
        case 0x67: this.push(this.recall(Number(this.line()))); break; // GET
        case 0x63: { const module = this.line(); const name = this.line(); this.push(this.global(module, name)); break; } // GLOBAL
        case 0x93: { const [module, name] = this.popN(2); this.push(this.global(this.string(module), this.string(name))); break; } // STACK_GLOBAL
        case 0x52: { const [callable, args] = this.popN(2); this.push(this.call(callable!, this.tuple(args, 'REDUCE arguments'))); break; } // REDUCE
        case 0x81: { const [cls, args] = this.popN(2); this.push(this.call(cls!, this.tuple(args, 'NEWOBJ arguments'))); break; } // NEWOBJ
        case 0x92: { const [cls, args] = this.popN(3); this.push(this.call(cls!, this.tuple(args, 'NEWOBJ_EX arguments'))); break; } // NEWOBJ_EX
        case 0x69: { const module = this.line(); const name = this.line(); const cls = this.global(module, name); this.push(this.call(cls, new PyTuple(this.popMark()))); break; } // INST
        case 0x6f: { const [cls, ...args] = this.popMark(); this.push(this.call(cls ?? null, new PyTuple(args))); break; } // OBJ
        case 0x62: this.build(); break; // BUILD
        case 0x51: this.push(this.persistentLoad(this.pop())); break; // BINPERSID
        case 0x50: throw this.malformed('it uses text persistent ids (PERSID), which torch never writes');
        default:
          throw this.malformed(`it uses pickle opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${this.at - 1}, which model checkpoints never contain`);
      }
    }
  }

  // ---- globals: named, never imported; emulated when called -----------------------------------------

  private global(module: string, name: string): PyGlobal {
    const qualified = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(qualified)) {
      throw new StudioError('checkpoint.unsafe', {
        userMessage: `${this.what} refers to the Python function "${qualified}", which a model checkpoint has no reason to contain. It was not run.`,
        hint: 'This file may be malicious. Delete it, and get the model as .safetensors from a source you trust.',
      });
    }
    return new PyGlobal(qualified);
  }

  private call(callable: StackItem, args: PyTuple): PyValue {
    if (!(callable instanceof PyGlobal)) throw this.unsafeCall(describe(callable));
    const a = args.items;
    switch (callable.qualifiedName) {
      case 'collections.OrderedDict':
        if (a.length !== 0) throw this.malformed('an OrderedDict is built with arguments');
        return new PyDict();
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2':
        return this.rebuildTensor(a);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        if (!(a[0] instanceof PyTensor)) throw this.malformed('a parameter is built from something that is not a tensor');
        return a[0];
      case 'torch._tensor._rebuild_from_type_v2': {
        // (func, new_type, args, state): the tensor is func(*args); the subclass type is irrelevant to its bytes.
        const [func, , inner] = a;
        return this.call(func ?? null, this.tuple(inner, '_rebuild_from_type_v2 arguments'));
      }
      case 'torch.Size':
        return this.tuple(a[0], 'torch.Size argument');
      default:
        if (OPAQUE_BUILDERS.includes(callable.qualifiedName)) return new PyOpaque(callable.qualifiedName);
        throw this.unsafeCall(callable.qualifiedName);
    }
  }

  private rebuildTensor(a: readonly PyValue[]): PyTensor {
    const [storage, offset, size, stride] = a;
    if (!(storage instanceof StorageRef)) throw this.malformed('a tensor is built on something that is not a storage');
    const shape = this.ints(size, 'tensor size');
    const strides = this.ints(stride, 'tensor stride');
    const storageOffset = this.int(offset, 'storage offset');
    if (shape.length !== strides.length) throw this.malformed(`a tensor has ${shape.length} sizes but ${strides.length} strides`);
    return new PyTensor(storage, storageOffset, shape, strides);
  }

  private build(): void {
    const state = this.pop();
    const target = this.peek();
    // state_dict() OrderedDicts carry `_metadata` this way, parameters and numpy values their Python state:
    // none of it matters here, and setting it on our inert values runs nothing.
    if (target instanceof PyDict || target instanceof PyTensor || target instanceof PyOpaque) return;
    void state;
    throw this.unsafeCall(`BUILD on ${describe(target)}`);
  }

  private persistentLoad(pid: PyValue): StorageRef {
    const items = pid instanceof PyTuple ? pid.items : [];
    const [kind, storageType, key, , numel] = items;
    if (kind !== 'storage' || !(storageType instanceof PyGlobal)) throw this.malformed('a persistent id is not a storage reference');
    const dtype = STORAGE_DTYPES[storageType.qualifiedName];
    if (dtype === undefined) throw this.malformed(`a storage has type ${storageType.qualifiedName}`);
    return new StorageRef(this.string(key ?? null), dtype, this.int(numel ?? null, 'storage size'));
  }

  // ---- stack helpers -------------------------------------------------------------------------------

  private push(value: PyValue): void {
    if ((typeof value === 'object' && value !== null && ++this.objects > MAX_OBJECTS) || ++this.pushes > MAX_PUSHES) {
      throw this.malformed('it builds far more objects than any checkpoint does');
    }
    this.stack.push(value);
  }

  private pop(): PyValue {
    if (this.stack.length === 0) throw this.malformed('it pops from an empty stack');
    const value = this.stack.pop()!;
    if (value === MARK) throw this.malformed('it pops a mark');
    return value;
  }

  private peek(): PyValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined || value === MARK) throw this.malformed('it reads an empty stack');
    return value;
  }

  private popN(n: number): PyValue[] {
    if (this.stack.length < n) throw this.malformed('it pops from an empty stack');
    return this.stack.splice(this.stack.length - n, n).map((v) => {
      if (v === MARK) throw this.malformed('it pops a mark');
      return v;
    });
  }

  private popMark(): PyValue[] {
    const items = this.stack as PyValue[];
    const previous = this.marks.pop();
    if (previous === undefined) throw this.malformed('it closes a mark it never opened');
    this.stack = previous;
    return items;
  }

  private recall(index: number): PyValue {
    const value = this.memo.get(index);
    if (value === undefined) throw this.malformed(`it recalls memo entry ${index}, which was never stored`);
    return value;
  }

  private listOnTop(): PyList {
    const top = this.peek();
    if (!(top instanceof PyList)) throw this.unsafeCall(`APPEND on ${describe(top)}`);
    return top;
  }

  private dictOnTop(): PyDict {
    const top = this.peek();
    if (!(top instanceof PyDict)) throw this.unsafeCall(`SETITEM on ${describe(top)}`);
    return top;
  }

  private setItems(dict: PyDict, items: readonly PyValue[]): void {
    if (items.length % 2 !== 0) throw this.malformed('a dictionary has a key without a value');
    for (let i = 0; i < items.length; i += 2) {
      const raw = items[i]!;
      // Old Lightning checkpoints key callback state by the callback's class: keep its name as the key.
      const key = raw instanceof PyGlobal ? raw.qualifiedName : raw;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && key !== null) {
        throw this.malformed(`a dictionary key is ${describe(key)}`);
      }
      dict.entries.set(key, items[i + 1]!);
    }
  }

  // ---- readers ---------------------------------------------------------------------------------------

  private advance(n: number): number {
    if (this.at + n > this.bytes.length) throw this.malformed('it ends in the middle of an instruction');
    const start = this.at;
    this.at += n;
    return start;
  }

  private u8(): number {
    return this.bytes[this.advance(1)]!;
  }

  private u64(): number {
    const value = this.view.getBigUint64(this.advance(8), true);
    return value > BigInt(this.bytes.length) ? this.bytes.length + 1 : Number(value);
  }

  private length(n: number): number {
    if (n < 0 || this.at + n > this.bytes.length) throw this.malformed(`it declares a ${n}-byte value, longer than the pickle itself`);
    return n;
  }

  private take(n: number): Uint8Array {
    const start = this.advance(n);
    return this.bytes.subarray(start, start + n);
  }

  private utf8(n: number): string {
    try {
      return this.decoder.decode(this.take(n));
    } catch {
      throw this.malformed('it holds a string that is not valid UTF-8');
    }
  }

  private latin1(n: number): string {
    return String.fromCharCode(...this.take(n));
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end < 0) throw this.malformed('it ends in the middle of a text instruction');
    const text = String.fromCharCode(...this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return text;
  }

  private long(n: number): number | bigint {
    const bytes = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
    if (n > 0 && bytes[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private textInt(text: string): number | boolean {
    if (text === '00') return false;
    if (text === '01') return true;
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw this.malformed(`it holds the integer "${text}"`);
    return value;
  }

  private string(value: PyValue | undefined): string {
    if (typeof value !== 'string') throw this.malformed(`a name is ${describe(value ?? null)}, not text`);
    return value;
  }

  private int(value: PyValue | undefined, what: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.malformed(`the ${what} is ${describe(value ?? null)}`);
    return value;
  }

  private ints(value: PyValue | undefined, what: string): number[] {
    return this.tuple(value, what).items.map((v) => this.int(v, what));
  }

  private tuple(value: PyValue | undefined, what: string): PyTuple {
    if (!(value instanceof PyTuple)) throw this.malformed(`the ${what} are ${describe(value ?? null)}, not a tuple`);
    return value;
  }

  private malformed(why: string): StudioError {
    return new StudioError('checkpoint.bad-pickle', {
      userMessage: `${this.what} cannot be read: ${why}.`,
      hint: 'The file is damaged or was not written by torch.save. Download it again, or get the .safetensors version.',
    });
  }

  private unsafeCall(what: string): StudioError {
    return new StudioError('checkpoint.unsafe', {
      userMessage: `${this.what} asks to run ${what}, which a model checkpoint has no reason to do. Nothing was run.`,
      hint: 'This file may be malicious. Delete it, and get the model as .safetensors from a source you trust.',
    });
  }
}

function describe(value: StackItem | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (value === MARK) return 'a mark';
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof PyTuple) return 'a tuple';
  if (value instanceof PyList) return 'a list';
  if (value instanceof PyDict) return 'a dict';
  if (value instanceof PyTensor) return 'a tensor';
  if (value instanceof StorageRef) return 'a storage';
  if (value instanceof PyOpaque) return value.what;
  if (value instanceof Uint8Array) return 'bytes';
  return JSON.stringify(typeof value === 'bigint' ? value.toString() : value);
}
