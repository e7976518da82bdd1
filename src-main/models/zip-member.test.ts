import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeZip } from '../../test/helpers/zip-writer.ts';
import { StudioError } from '../base/errors.ts';
import { extractZipMember } from './zip-member.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-zip-member-'));
after(() => rmSync(work, { recursive: true, force: true }));
const detector = Buffer.from('det_10g weights '.repeat(500));
const archive = makeZip([
  { name: 'buffalo_l/1k3d68.onnx', data: Buffer.from('other model') },
  { name: 'buffalo_l/det_10g.onnx', data: detector },
  { name: 'buffalo_l/readme.txt', data: Buffer.from('stored'), store: true },
]);

test('extracts a deflated member nested in a folder, with its size and sha256', async () => {
  const zip = path.join(work, 'buffalo_l.zip');
  writeFileSync(zip, archive);
  const target = path.join(work, 'out', 'det_10g.onnx');
  const result = await extractZipMember(zip, 'det_10g.onnx', target);
  assert.deepEqual(readFileSync(target), detector);
  assert.deepEqual(result, { sizeBytes: detector.length, sha256: createHash('sha256').update(detector).digest('hex') });
  assert.equal((await extractZipMember(zip, 'readme.txt', path.join(work, 'out', 'readme.txt'))).sizeBytes, 6);
});

test('a cut-short archive or a missing member is a download error naming the archive; nothing is left behind', async () => {
  const zip = path.join(work, 'cut.zip');
  writeFileSync(zip, archive.subarray(0, archive.length - 30));
  const target = path.join(work, 'cut', 'det_10g.onnx');
  await assert.rejects(extractZipMember(zip, 'det_10g.onnx', target), (e: unknown) => e instanceof StudioError && e.code === 'model.download-failed' && e.userMessage.includes('cut.zip'));
  assert.equal(existsSync(target), false);
  const whole = path.join(work, 'whole.zip');
  writeFileSync(whole, archive);
  await assert.rejects(extractZipMember(whole, 'w600k_r50.onnx', target), /no member named w600k_r50\.onnx/);
});
