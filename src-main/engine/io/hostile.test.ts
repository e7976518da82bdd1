// The hostile and broken input corpus: every file is generated here, each must fail with its own typed error
// and a message a user can act on, nothing inside may run, and memory must stay bounded.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PickleWriter, torchSavePickle, zipStored, type TensorSpec } from '../../../test/helpers/torch-archive.ts';
import { StudioError } from '../../base/errors.ts';
import type { ErrorCode } from '../../../src-preload/contract/errors.ts';
import { detectModel } from './detect.ts';
import { readTensorFile } from './tensor-file.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-hostile-'));
/** Every payload below would create this file if anything in it ran. */
const marker = path.join(scratch, 'PWNED');
const shell = `touch ${marker}`;

after(() => assert.equal(existsSync(marker), false, 'a payload ran'));

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(scratch, name);
  writeFileSync(file, bytes);
  return file;
}

function torchZip(name: string, pickle: Uint8Array, extra: Array<{ name: string; data: Uint8Array; method?: number; declaredSize?: number }> = []): string {
  return write(name, zipStored([{ name: 'payload/data.pkl', data: pickle }, ...extra, { name: 'payload/version', data: Buffer.from('3\n') }]));
}

function safetensors(name: string, header: unknown, data: Uint8Array, lengthOverride?: bigint): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  return write(name, Buffer.concat([length, json, data]));
}

async function rejectsWith(file: string, code: ErrorCode, message: RegExp): Promise<StudioError> {
  let caught: unknown;
  try {
    await readTensorFile(file);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof StudioError, `${path.basename(file)}: expected a StudioError, got ${String(caught)}`);
  assert.equal(caught.code, code, `${path.basename(file)}: ${caught.userMessage}`);
  assert.match(caught.userMessage, message);
  assert.ok(caught.userMessage.includes(path.basename(file)), 'the message names the file');
  assert.ok(caught.hint && caught.hint.length > 10, 'the error says what to do');
  return caught;
}

// ---- pickles that name dangerous globals --------------------------------------------------------------

const DANGEROUS = [
  ['os', 'system', 'global'],
  ['os', 'system', 'stack'],
  ['subprocess', 'Popen', 'global'],
  ['subprocess', 'Popen', 'stack'],
  ['builtins', 'eval', 'stack'],
  ['builtins', 'exec', 'global'],
  ['builtins', 'getattr', 'stack'],
  ['posix', 'system', 'global'],
  ['runpy', '_run_code', 'stack'],
  ['__builtin__', 'eval', 'global'],
  ['nt', 'system', 'stack'],
] as const;

for (const [module, name, how] of DANGEROUS) {
  test(`${how === 'global' ? 'GLOBAL' : 'STACK_GLOBAL'} ${module}.${name} is refused as unsafe and nothing runs`, async () => {
    const p = new PickleWriter().proto(how === 'stack' ? 4 : 2);
    if (how === 'global') p.global(module, name);
    else p.stackGlobal(module, name);
    const pickle = p.mark().text(shell).tuple().reduce().stop().finish();
    const error = await rejectsWith(torchZip(`${module}-${name}-${how}.pt`, pickle), 'checkpoint.unsafe', new RegExp(`"${module}\\.${name}"`));
    assert.match(error.userMessage, /not run/);
  });
}

test('REDUCE, NEWOBJ, BUILD, INST and OBJ on things that are not allowlisted callables are refused', async () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['reduce-on-string', new PickleWriter().proto().text('os.system').mark().text(shell).tuple().reduce().stop().finish(), /run "os\.system"/],
    // A storage class is allowed as a tag in persistent ids, never as something to call.
    ['reduce-on-storage-class', new PickleWriter().proto().global('torch', 'FloatStorage').mark().int(10).tuple().reduce().stop().finish(), /torch\.FloatStorage/],
    // Lightning's callback class may key a dict in old .ckpt files; it may never be instantiated.
    ['reduce-on-callback-class', new PickleWriter().proto().global('pytorch_lightning.callbacks.model_checkpoint', 'ModelCheckpoint').emptyTuple().reduce().stop().finish(), /ModelCheckpoint/],
    ['newobj-on-dict', new PickleWriter().proto().emptyDict().emptyTuple().op(0x81).stop().finish(), /a dict/],
    ['build-on-list', new PickleWriter().proto().emptyList().emptyDict().build().stop().finish(), /BUILD on a list/],
    ['inst-os-system', new PickleWriter().proto().mark().text(shell).inst('os', 'system').stop().finish(), /"os\.system"/],
    ['obj-on-string', new PickleWriter().proto().mark().text('subprocess.Popen').text(shell).op(0x6f).stop().finish(), /subprocess\.Popen/],
    ['obj-with-global', new PickleWriter().proto().mark().global('builtins', 'exec').text(shell).op(0x6f).stop().finish(), /"builtins\.exec"/],
  ];
  for (const [name, pickle, message] of cases) await rejectsWith(torchZip(`${name}.pt`, pickle), 'checkpoint.unsafe', message);
});

test('malformed pickles are bad-pickle errors, not crashes', async () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['truncated-pickle', new PickleWriter().proto().emptyDict().mark().text('a').finish(), /ends in the middle|empty stack/],
    ['unknown-opcode', new PickleWriter().proto().op(0xff).stop().finish(), /opcode 0xff/],
    ['stop-on-empty', new PickleWriter().proto().stop().finish(), /empty stack/],
    ['unbalanced-mark', new PickleWriter().proto().tuple().stop().finish(), /mark it never opened/],
    ['memo-miss', new PickleWriter().proto().op(0x68, 7).stop().finish(), /memo entry 7/],
    ['huge-string', new PickleWriter().proto().op(0x58, 0xff, 0xff, 0xff, 0x7f).stop().finish(), /longer than the pickle/],
  ];
  for (const [name, pickle, message] of cases) await rejectsWith(torchZip(`${name}.pt`, pickle), 'checkpoint.bad-pickle', message);
});

test('a pickle that builds millions of objects is stopped before memory runs out', async () => {
  const bomb = new Uint8Array(3_000_002).fill(0x5d); // PROTO 2, then 3 M × EMPTY_LIST
  bomb[0] = 0x80;
  bomb[1] = 0x02;
  const before = process.memoryUsage().heapUsed;
  await rejectsWith(torchZip('object-bomb.pt', bomb), 'checkpoint.bad-pickle', /far more objects/);
  assert.ok(process.memoryUsage().heapUsed - before < 256 * 1024 * 1024, 'memory stayed bounded');
});

// ---- broken archives ------------------------------------------------------------------------------------

const spec: TensorSpec = { name: 'w', storageKey: '0', storageType: 'FloatStorage', storageNumel: 4, offset: 0, shape: [4], strides: [1] };

test('a zip missing its data/ records, or its data.pkl, is a bad-zip error naming what is missing', async () => {
  await rejectsWith(torchZip('no-data-records.pt', torchSavePickle([spec])), 'checkpoint.bad-zip', /data\/0/);
  await rejectsWith(write('no-pickle.pt', zipStored([{ name: 'payload/version', data: Buffer.from('3\n') }])), 'checkpoint.bad-zip', /data\.pkl/);
});

test('a zip declaring a huge uncompressed size is refused without allocating it', async () => {
  const before = process.memoryUsage().heapUsed;
  await rejectsWith(
    torchZip('huge-declared.pt', torchSavePickle([spec]), [{ name: 'payload/data/0', data: new Uint8Array(16), declaredSize: 0xfffffff0 }]),
    'checkpoint.bad-zip',
    /declares 4294967280 bytes, more than the file holds/,
  );
  const hugePickle = write('huge-pickle.pt', zipStored([{ name: 'payload/data.pkl', data: new Uint8Array(8), declaredSize: 0xfffffff0 }]));
  await rejectsWith(hugePickle, 'checkpoint.bad-zip', /more than the file holds/);
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'memory stayed bounded');
});

test('a compressed tensor record is refused: it could not be used as a file range', async () => {
  await rejectsWith(torchZip('compressed.pt', torchSavePickle([spec]), [{ name: 'payload/data/0', data: new Uint8Array(16), method: 8 }]), 'checkpoint.unsupported-format', /compressed/);
});

test('a tensor reaching past its storage is a bad-tensor error', async () => {
  const outside = { ...spec, offset: 2 };
  await rejectsWith(torchZip('outside.pt', torchSavePickle([outside]), [{ name: 'payload/data/0', data: new Uint8Array(16) }]), 'checkpoint.bad-tensor', /reaches element 5/);
});

test('a zip cut short (no directory at its end) is a bad-zip error', async () => {
  const whole = zipStored([{ name: 'payload/data.pkl', data: torchSavePickle([spec]) }, { name: 'payload/data/0', data: new Uint8Array(16) }]);
  await rejectsWith(write('cut.pt', whole.subarray(0, Math.floor(whole.length / 2))), 'checkpoint.bad-zip', /no zip directory/);
});

test('a legacy (pre-1.6) PyTorch pickle gets the "old PyTorch format, convert it first" error', async () => {
  // torch < 1.6: PROTO 2, then the magic number 0x1950a86a20f9469cfc6c as a LONG1.
  const legacy = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
  const error = await rejectsWith(write('old.ckpt', legacy), 'checkpoint.legacy-pytorch', /old PyTorch format/);
  assert.match(error.hint ?? '', /[Cc]onvert/);
});

// ---- not model files at all --------------------------------------------------------------------------------

test('random bytes and a PNG renamed .safetensors are unsupported-format errors that say what they look like', async () => {
  const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24 || 0xff);
  random[6] = 0x5a; // keep the pseudo-random header length implausible, as real noise almost always is
  await rejectsWith(write('random.bin', random), 'checkpoint.unsupported-format', /not a model file/);
  const png = readFileSync(pngFile());
  await rejectsWith(write('photo.safetensors', png), 'checkpoint.unsupported-format', /PNG image/);
  await assert.rejects(detectModel(path.join(scratch, 'photo.safetensors')), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.unsupported-format');
  await rejectsWith(write('empty.safetensors', new Uint8Array(0)), 'checkpoint.unsupported-format', /not a model file/);
});

/** The smallest valid PNG: signature, a 1×1 grey IHDR and IEND. */
function pngFile(): string {
  return write('made.png', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000049454e44ae426082', 'hex'));
}

// ---- broken safetensors -----------------------------------------------------------------------------------------

test('broken safetensors files each get their own typed error', async () => {
  const entry = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: Array<[string, string, ErrorCode, RegExp]> = [
    ['truncated.safetensors', safetensors('truncated.safetensors', { w: entry }, new Uint8Array(4)), 'checkpoint.truncated', /incomplete/],
    ['header-past-eof.safetensors', safetensors('header-past-eof.safetensors', { w: entry }, new Uint8Array(8), 5000n), 'checkpoint.truncated', /header needs 5000 bytes/],
    ['huge-header.safetensors', safetensors('huge-header.safetensors', { w: entry }, new Uint8Array(8), 2n ** 31n), 'checkpoint.bad-header', /header claims 2147483648 bytes/],
    ['not-json.safetensors', safetensors('not-json.safetensors', '{"w": {"dtype": "F32", oops', new Uint8Array(8)), 'checkpoint.bad-header', /not valid JSON/],
    ['overlap.safetensors', safetensors('overlap.safetensors', { a: entry, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), 'checkpoint.bad-tensor', /overlap/],
    ['out-of-bounds.safetensors', safetensors('out-of-bounds.safetensors', { w: { dtype: 'F32', shape: [2], data_offsets: [1000, 1008] } }, new Uint8Array(8)), 'checkpoint.truncated', /should end at byte/],
    ['shape-mismatch.safetensors', safetensors('shape-mismatch.safetensors', { w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), 'checkpoint.bad-tensor', /needs 12 bytes but it has 8/],
    ['bad-dtype.safetensors', safetensors('bad-dtype.safetensors', { w: { dtype: 'F128', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), 'checkpoint.bad-tensor', /type "F128"/],
  ];
  const before = process.memoryUsage().heapUsed;
  for (const [, file, code, message] of cases) await rejectsWith(file, code, message);
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'memory stayed bounded');
});
