import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, open, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fixture } from '../../test/helpers/fixtures.ts';
import { createIdentifier } from './identify.ts';
import type { Identify, ModelIdentity } from './identity.ts';
import { scanModelFolders } from './scan.ts';

// Each fixture file is placed under a name and folder that suggest something else entirely.
const sources = {
  checkpoint: fixture('sd15-tiny.safetensors'),
  faceid: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.safetensors'),
  plusv2: fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'),
  portrait: fixture('ipadapter-tiny', 'ip-adapter-faceid-portrait_sd15_tiny.safetensors'),
  lora: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'),
  encoder: fixture('ipadapter-tiny', 'image_encoder', 'model.safetensors'),
  detector: fixture('face', 'models', 'det_10g.onnx'),
  recognizer: fixture('face', 'models', 'w600k_r50.onnx'),
  vocab: fixture('tokenizer', 'vocab.json'),
  merges: fixture('tokenizer', 'merges.txt'),
  faceidBin: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'),
  plusv2Bin: fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.bin'),
};
type Source = keyof typeof sources;

const comfyTree: Array<[string, Source]> = [
  ['ComfyUI/models/checkpoints/ip-adapter-faceid_sd15.safetensors', 'encoder'],
  ['ComfyUI/models/checkpoints/v1-5-pruned-emaonly.safetensors', 'lora'],
  ['ComfyUI/models/ipadapter/CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors', 'checkpoint'],
  ['ComfyUI/models/ipadapter/ip-adapter-faceid-portrait_sd15.safetensors', 'plusv2'],
  ['ComfyUI/models/clip_vision/ip-adapter-faceid_sd15_lora.safetensors', 'faceid'],
  ['ComfyUI/models/loras/ip-adapter-faceid-plusv2_sd15.safetensors', 'portrait'],
  ['ComfyUI/models/insightface/models/buffalo_l/det_10g.onnx', 'recognizer'],
  ['ComfyUI/models/insightface/models/buffalo_l/w600k_r50.onnx', 'detector'],
  ['ComfyUI/models/ipadapter/ip-adapter-faceid-plusv2_sd15.bin', 'faceidBin'],
];
const a1111Tree: Array<[string, Source]> = [
  ['webui/models/Stable-diffusion/realisticVision.ckpt', 'plusv2'],
  ['webui/models/Lora/sd_xl_base_1.0.safetensors', 'checkpoint'],
  ['webui/models/ControlNet/merges.txt', 'vocab'],
  ['webui/models/ControlNet/vocab.json', 'merges'],
  ['webui/extensions/sd-webui-controlnet/models/ip-adapter-faceid-plusv2_sd15_lora.safetensors', 'detector'],
  ['webui/models/insightface/models/buffalo_l/1k3d68.onnx', 'recognizer'],
  ['webui/models/Stable-diffusion/image_encoder.bin', 'lora'],
  ['webui/extensions/sd-webui-controlnet/models/ip-adapter-faceid-portrait_sd15.bin', 'plusv2Bin'],
];

const expected: Record<Source, Partial<ModelIdentity>> = {
  checkpoint: { kind: 'checkpoint', base: 'sd15' },
  faceid: { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true },
  plusv2: { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plusv2', hasEmbeddedLora: true },
  portrait: { kind: 'ip-adapter', base: 'sd15', variant: 'portrait', hasEmbeddedLora: false },
  lora: { kind: 'lora', base: 'sd15', isFaceIdLora: true },
  encoder: { kind: 'image-encoder', base: null },
  detector: { kind: 'face-detector', base: null },
  recognizer: { kind: 'face-recognizer', base: null },
  vocab: { kind: 'tokenizer-vocab' },
  merges: { kind: 'tokenizer-merges' },
  faceidBin: { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true },
  plusv2Bin: { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plusv2', hasEmbeddedLora: true },
};

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-scan-'));
  for (const [relative, source] of [...comfyTree, ...a1111Tree]) {
    await mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
    await copyFile(sources[source], path.join(folder, relative));
  }
  // Things a real install has that are not models, and a model outside the model folders (a venv) that must not be walked.
  // A diffusers folder is one model, whatever its name.
  await cp(fixture('sd15-tiny'), path.join(folder, 'webui/models/Stable-diffusion/loras-backup'), { recursive: true });
  await writeFile(path.join(folder, 'ComfyUI/models/checkpoints/put_checkpoints_here'), '');
  await writeFile(path.join(folder, 'ComfyUI/models/loras/notes.txt'), 'my favourite loras');
  await mkdir(path.join(folder, 'ComfyUI/venv'), { recursive: true });
  await copyFile(sources.lora, path.join(folder, 'ComfyUI/venv/stray.safetensors'));
});
after(() => rm(folder, { recursive: true, force: true }));

function countingIdentifier(): { identify: Identify; calls: string[] } {
  const inner = createIdentifier();
  const calls: string[] = [];
  return { calls, identify: (file) => (calls.push(file), inner(file)) };
}

test('ComfyUI and A1111 trees with misleading names are identified by content', async () => {
  const { identify } = countingIdentifier();
  const result = await scanModelFolders({ roots: [path.join(folder, 'ComfyUI'), path.join(folder, 'webui')], identify });
  assert.deepEqual(result.roots.map((r) => [path.basename(r.path), r.layout, r.error]), [['ComfyUI', 'comfyui', null], ['webui', 'a1111', null]]);
  for (const [relative, source] of [...comfyTree, ...a1111Tree]) {
    const file = result.files.find((f) => f.path === path.join(folder, relative));
    assert.ok(file, `${relative} was scanned`);
    for (const [key, value] of Object.entries(expected[source])) {
      assert.deepEqual((file.identity as Record<string, unknown> | null)?.[key], value, `${relative} (really ${source}): ${key}`);
    }
  }
  assert.ok(!result.files.some((f) => f.path.includes('venv')), 'folders outside the layout are not walked');
  const notes = result.files.find((f) => f.path.endsWith('notes.txt'));
  assert.equal(notes?.identity, null);
  const diffusers = result.files.find((f) => f.path.endsWith('loras-backup'));
  assert.equal(diffusers?.identity?.kind, 'checkpoint');
  assert.equal(diffusers?.identity?.base, 'sd15');
  assert.ok(!result.files.some((f) => f.path.includes('loras-backup/')), 'files inside a diffusers folder are not listed one by one');
  assert.equal(result.identifiedCount, comfyTree.length + a1111Tree.length + 1);
});

test('a missing root is reported, not thrown, and other roots are still scanned', async () => {
  const { identify } = countingIdentifier();
  const result = await scanModelFolders({ roots: [path.join(folder, 'nowhere'), path.join(folder, 'ComfyUI')], identify });
  assert.match(result.roots[0]?.error ?? '', /does not exist/);
  assert.equal(result.roots[1]?.error, null);
  assert.equal(result.identifiedCount, comfyTree.length);
});

test("a whole root (the studio's own folder) is walked beyond its ComfyUI folders: a tokenizer beside checkpoints/ is found", async () => {
  const { identify } = countingIdentifier();
  const studio = path.join(folder, 'studio-library', 'models');
  await mkdir(path.join(studio, 'checkpoints'), { recursive: true });
  await mkdir(path.join(studio, 'tokenizer', 'clip'), { recursive: true });
  await copyFile(sources.checkpoint, path.join(studio, 'checkpoints', 'base.safetensors'));
  await copyFile(sources.vocab, path.join(studio, 'tokenizer', 'clip', 'vocab.json'));
  const asLayout = await scanModelFolders({ roots: [studio], identify });
  assert.equal(asLayout.roots[0]?.layout, 'comfyui', '<library>/models/checkpoints makes the folder look like ComfyUI');
  assert.ok(!asLayout.files.some((f) => f.path.endsWith('vocab.json')), 'a layout scan skips the tokenizer folder');
  const whole = await scanModelFolders({ roots: [studio], wholeRoots: [studio], identify });
  assert.deepEqual(whole.files.filter((f) => f.identity !== null).map((f) => [path.relative(studio, f.path), f.identity?.kind]).sort(), [
    ['checkpoints/base.safetensors', 'checkpoint'],
    ['tokenizer/clip/vocab.json', 'tokenizer-vocab'],
  ]);
  await rm(path.dirname(studio), { recursive: true, force: true });
});

test('a rescan of an unchanged tree reads no file contents; a changed file is read again', async () => {
  const cacheFile = path.join(folder, 'studio', 'scan-cache.json');
  const roots = [path.join(folder, 'ComfyUI'), path.join(folder, 'webui')];
  const first = countingIdentifier();
  const firstScan = await scanModelFolders({ roots, identify: first.identify, cacheFile });
  assert.ok(first.calls.length >= comfyTree.length + a1111Tree.length);

  // Overwrite a file's bytes with garbage of the same size and put its mtime back: only a scan that reads
  // content could notice. The cached identity must come back unchanged, with no identify call at all.
  const victim = path.join(folder, comfyTree[0]![0]);
  const before = await stat(victim);
  const handle = await open(victim, 'r+');
  await handle.write(Buffer.alloc(64, 0xee), 0, 64, 0);
  await handle.close();
  await utimes(victim, before.atimeMs / 1000, before.mtimeMs / 1000);

  const second = countingIdentifier();
  const secondScan = await scanModelFolders({ roots, identify: second.identify, cacheFile });
  assert.deepEqual(second.calls, []);
  assert.equal(secondScan.fromCacheCount, secondScan.files.length);
  assert.deepEqual(secondScan.files.map((f) => f.identity), firstScan.files.map((f) => f.identity));

  // Now the mtime changes too: the file is read again and the garbage is seen for what it is.
  await utimes(victim, before.atimeMs / 1000, before.mtimeMs / 1000 + 5);
  const third = countingIdentifier();
  const thirdScan = await scanModelFolders({ roots, identify: third.identify, cacheFile });
  assert.deepEqual(third.calls, [victim]);
  assert.equal(thirdScan.files.find((f) => f.path === victim)?.identity, null);
});

test('a ComfyUI portable download is found from its top folder; its extra_model_paths.yaml folders are scanned too', async () => {
  const top = path.join(folder, 'ComfyUI_windows_portable');
  const shared = path.join(folder, 'shared-a1111');
  await mkdir(path.join(top, 'ComfyUI', 'models', 'checkpoints'), { recursive: true });
  await mkdir(path.join(top, 'python_embeded', 'Lib'), { recursive: true });
  await copyFile(sources.lora, path.join(top, 'python_embeded', 'Lib', 'not-a-model-folder.safetensors'));
  await copyFile(sources.checkpoint, path.join(top, 'ComfyUI', 'models', 'checkpoints', 'mine.safetensors'));
  for (const [relative, source] of [['models/Stable-diffusion/shared.safetensors', 'checkpoint'], ['models/Lora/face.safetensors', 'lora'], ['models/hypernetworks/skip.safetensors', 'lora']] as const) {
    await mkdir(path.dirname(path.join(shared, relative)), { recursive: true });
    await copyFile(sources[source], path.join(shared, relative));
  }
  // ComfyUI's own example, shortened: base_path relative to the yaml's folder, a block string of several folders.
  await writeFile(
    path.join(top, 'ComfyUI', 'extra_model_paths.yaml'),
    ['a111:', '    base_path: ../../shared-a1111/', '    checkpoints: models/Stable-diffusion', '    loras: |', '         models/Lora', '         models/LyCORIS', '    hypernetworks: models/hypernetworks', ''].join('\n'),
  );
  const { identify } = countingIdentifier();
  const result = await scanModelFolders({ roots: [top], identify });
  assert.deepEqual(result.roots.map((r) => [r.layout, r.error]), [['comfyui', null]]);
  const found = (relative: string) => result.files.find((f) => f.path === path.join(folder, relative));
  assert.equal(found('ComfyUI_windows_portable/ComfyUI/models/checkpoints/mine.safetensors')?.identity?.kind, 'checkpoint');
  assert.equal(found('shared-a1111/models/Stable-diffusion/shared.safetensors')?.layoutFolder, 'extra_model_paths.yaml:checkpoints');
  assert.equal(found('shared-a1111/models/Lora/face.safetensors')?.identity?.kind, 'lora');
  assert.equal(found('shared-a1111/models/hypernetworks/skip.safetensors'), undefined, 'kinds the studio has no use for are not walked');
  assert.ok(!result.files.some((f) => f.path.includes('python_embeded')), 'the portable Python is not walked');
});

test('A1111: embeddings/ and sd-webui-controlnet\'s annotator downloads (insightface) are model folders; a broken yaml is reported', async () => {
  const webui = path.join(folder, 'sd.webui', 'webui');
  await mkdir(path.join(webui, 'models', 'Stable-diffusion'), { recursive: true });
  const downloads = path.join(webui, 'extensions', 'sd-webui-controlnet', 'annotator', 'downloads', 'insightface', 'models', 'buffalo_l');
  await mkdir(downloads, { recursive: true });
  await copyFile(sources.detector, path.join(downloads, 'det_10g.onnx'));
  await mkdir(path.join(webui, 'embeddings'), { recursive: true });
  await copyFile(sources.checkpoint, path.join(webui, 'embeddings', 'odd-place.safetensors'));
  const comfy = path.join(folder, 'broken-comfy');
  await mkdir(path.join(comfy, 'models', 'checkpoints'), { recursive: true });
  await writeFile(path.join(comfy, 'extra_model_paths.yaml'), 'a111:\n  base_path: [unclosed\n');
  const { identify } = countingIdentifier();
  const result = await scanModelFolders({ roots: [path.join(folder, 'sd.webui'), comfy], identify });
  assert.equal(result.roots[0]?.layout, 'a1111', 'found from the download\'s top folder');
  assert.equal(result.files.find((f) => f.path.endsWith('det_10g.onnx') && f.path.includes('annotator'))?.identity?.kind, 'face-detector');
  assert.ok(result.files.some((f) => f.path.endsWith(path.join('embeddings', 'odd-place.safetensors'))));
  assert.match(result.roots[1]?.error ?? '', /extra_model_paths\.yaml is not valid YAML/u);
});
