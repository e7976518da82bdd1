import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../test/helpers/run-cli.ts';
import { seedGallery } from '../../../test/helpers/seed-gallery.ts';
import { openLibraryDatabase } from '../../library/db.ts';
import { DATABASE_FILE_NAME } from '../../library/library.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-export-comfy-'));
process.env['FACEID_STUDIO_HOME'] = path.join(work, 'studio');
after(() => rmSync(work, { recursive: true, force: true }));

test('faceid export-comfy ID writes the API prompt and the editor workflow of a FaceID generation', async () => {
  await seedGallery(path.join(work, 'studio'), 2);
  const db = openLibraryDatabase(path.join(work, 'studio', DATABASE_FILE_NAME));
  // Seeded generation 1 uses the FaceID Plus v2 adapter.
  const id = (db.prepare('SELECT id FROM generations WHERE seed = 1').pluck().get() as string);
  db.close();
  const out = path.join(work, 'out');
  const { code, stdout, stderr } = await runCli(['export-comfy', id, '--out', out]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.trim().split('\n'), [path.join(out, `${id}.prompt.json`), path.join(out, `${id}.workflow.json`)]);
  const prompt = JSON.parse(readFileSync(path.join(out, `${id}.prompt.json`), 'utf8')) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  const loader = Object.values(prompt).find((n) => n.class_type === 'IPAdapterUnifiedLoaderFaceID');
  assert.equal(loader?.inputs.preset, 'FACEID PLUS V2');
  assert.equal(Object.values(prompt).find((n) => n.class_type === 'CheckpointLoaderSimple')?.inputs.ckpt_name, 'sd15-art.safetensors');
  const workflow = JSON.parse(readFileSync(path.join(out, `${id}.workflow.json`), 'utf8')) as { nodes: unknown[] };
  assert.equal(workflow.nodes.length, Object.keys(prompt).length);
  assert.match(stderr, /^note: /mu);

  const missing = await runCli(['export-comfy', '00000000-0000-0000-0000-000000000000']);
  assert.equal(missing.code, 1);
});
