// `faceid generate --draft --taesd FILE`: the final picture decoded by TAESD (here a tiny one made by our code) is
// another picture than the full VAE's, the same size, and says so in its parameters (read back as a draft); without a
// TAESD file the job fails saying what is missing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { recallInfotext } from '../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { runCli } from '../../test/helpers/run-cli.ts';
import { writeTinyTaesdDecoder } from '../../test/helpers/tiny-taesd.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-draft-decode-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

const base = ['generate', '--model', fixture('sd15-tiny'), '--prompt', 'a lighthouse', '--steps', '2', '--size', '64x64', '--seed', '3'];

async function run(name: string, extra: readonly string[]): Promise<{ code: number; stderr: string; png?: Buffer }> {
  const out = path.join(work, name);
  const result = await runCli([...base, ...extra, '--out', out]);
  if (result.code !== 0) return { code: result.code, stderr: result.stderr };
  return { code: 0, stderr: result.stderr, png: readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.png'))!)) };
}

test('a draft decode through TAESD gives its own picture and says so; without TAESD it is refused with the reason', async () => {
  const taesd = path.join(work, 'taesd_decoder.safetensors');
  await writeTinyTaesdDecoder(taesd);
  const full = await run('full', []);
  const draft = await run('draft', ['--draft', '--taesd', taesd]);
  assert.equal(draft.code, 0, draft.stderr);
  const pixels = async (png: Buffer) => sharp(png).raw().toBuffer({ resolveWithObject: true });
  const [a, b] = [await pixels(full.png!), await pixels(draft.png!)];
  assert.deepEqual([b.info.width, b.info.height], [64, 64]);
  assert.notDeepEqual(b.data, a.data);
  const parameters = readPngTexts(draft.png!).parameters ?? '';
  assert.match(parameters, /Decoder: TAESD \(draft\)/u);
  assert.equal(recallInfotext(parameters).params.draftDecode, true);
  const missing = await run('missing', ['--draft']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /A draft decode needs the TAESD decoder for SD1\.5/u);
});
