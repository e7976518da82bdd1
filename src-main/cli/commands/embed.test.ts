// `faceid embed` on every kind of bad reference (issue #7 acceptance 4), files made here with sharp.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { facePhotoPixels, facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { readEnvironment } from '../../app/environment.ts';
import { defaultFaceModelsFolder } from './embed.ts';
import { runCli, type CliResult } from '../../../test/helpers/run-cli.ts';

let folder = '';
const files: Record<string, string> = {};

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-embed-'));
  const png = await facePhotoPng();
  const { width, height } = await facePhotoPixels();
  const put = async (name: string, bytes: Buffer | Promise<Buffer>): Promise<void> => {
    files[name] = path.join(folder, name);
    await writeFile(files[name], await bytes);
  };
  const noisy = Buffer.alloc(256 * 256 * 3);
  for (let i = 0; i < noisy.length; i++) noisy[i] = (i * 7919) % 251;
  const truncated = await sharp(noisy, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toBuffer();
  const frames = [png, await sharp(png).negate().png().toBuffer()];
  const heic = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } }).avif().toBuffer();
  heic.write('heic', 8, 'latin1');
  await Promise.all([
    put('face.png', png),
    put('no-face.png', sharp({ create: { width: 400, height: 300, channels: 3, background: '#7a8a9a' } }).png().toBuffer()),
    put('many-faces.png', sharp({ create: { width: width * 2, height: height * 2, channels: 3, background: '#000000' } })
      .composite([0, 1, 2, 3].map((i) => ({ input: png, left: (i % 2) * width, top: Math.floor(i / 2) * height }))).png().toBuffer()),
    put('tiny.png', sharp({ create: { width: 16, height: 16, channels: 3, background: '#c08060' } }).png().toBuffer()),
    put('cmyk.jpg', sharp(png).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer()),
    put('rotated.jpg', sharp(png).rotate(90).jpeg({ quality: 95 }).withMetadata({ orientation: 8 }).toBuffer()),
    // Lossless copy stored sideways: must give exactly the upright photo's faces.
    put('rotated.png', sharp(png).rotate(90).png().withMetadata({ orientation: 8 }).toBuffer()),
    put('huge.png', sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#808080' } }).png({ compressionLevel: 1 }).toBuffer()),
    put('truncated.jpg', Promise.resolve(truncated.subarray(0, Math.floor(truncated.length * 0.6)))),
    put('animated.gif', sharp(frames, { join: { animated: true } }).gif().toBuffer()),
    put('photo.heic', Promise.resolve(heic)),
  ]);
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

function embed(args: string[]): Promise<CliResult> {
  return runCli(['embed', '--face-models', faceModelsFolder(), ...args]);
}

interface EmbedResult {
  file: string;
  notes?: string[];
  verdict?: { level: string; message: string; advice: string[]; usedFace: number | null };
  faces?: { embedding: number[]; qa: { widthPx: number } }[];
  error?: { code: string; userMessage: string };
}

test('every bad reference gets a verdict or a named error, and nothing crashes', async () => {
  const names = ['face.png', 'no-face.png', 'many-faces.png', 'tiny.png', 'cmyk.jpg', 'rotated.jpg', 'rotated.png', 'huge.png', 'truncated.jpg', 'animated.gif', 'photo.heic'];
  const { code, stdout } = await embed(['--json', ...names.map((n) => files[n]!)]);
  assert.equal(code, 1, 'some files cannot be read, so the exit code says so');
  const results = JSON.parse(stdout) as EmbedResult[];
  const by = (name: string): EmbedResult => results.find((r) => r.file === files[name])!;

  const face = by('face.png');
  assert.ok(face.faces!.length > 0 && face.faces![0]!.embedding.length === 512);
  assert.equal(by('no-face.png').verdict!.level, 'unusable');
  assert.match(by('no-face.png').verdict!.message, /No face found/);
  assert.ok(by('many-faces.png').verdict, 'the tiled photo gets a verdict');
  assert.match(by('tiny.png').verdict!.message, /only 16×16 px/);
  assert.match(by('cmyk.jpg').notes!.join(' '), /CMYK image converted to RGB/);
  assert.match(by('rotated.jpg').notes!.join(' '), /EXIF orientation \(8\)/);
  assert.deepEqual(by('rotated.png').faces!.map((f) => f.embedding), face.faces!.map((f) => f.embedding), 'upright before detection: same faces as the upright photo');
  assert.match(by('animated.gif').notes!.join(' '), /2 frames: the first frame was used/);
  assert.deepEqual([by('huge.png').error?.code, by('truncated.jpg').error?.code, by('photo.heic').error?.code], ['image.too-large', 'image.corrupt', 'image.unsupported-format']);
  assert.match(by('photo.heic').error!.userMessage, /HEIC/);
});

test('several faces: the largest is used and said so; --face picks another; plain text names the verdict', async () => {
  // Twice the usual detection size sees each copy of the 2×2 tiled photo at the original photo's scale.
  const json = await embed(['--json', '--det-size', '1280', files['many-faces.png']!]);
  const [many] = JSON.parse(json.stdout) as EmbedResult[];
  assert.ok(many!.faces!.length >= 2, `expected several faces, found ${many!.faces!.length}`);
  assert.match(many!.verdict!.advice[0]!, new RegExp(`^${many!.faces!.length} faces: using the largest — pick another`));
  const { code, stdout } = await embed(['--face', '2', '--det-size', '1280', files['many-faces.png']!]);
  assert.equal(code, 0);
  assert.match(stdout, /face 2 \(used\)/);
  assert.match(stdout, /verdict: (good|warning|unusable) — /);
});

test('a missing face models folder and a bad --face are usage errors, not crashes', async () => {
  const missing = await runCli(['embed', '--face-models', path.join(folder, 'nope'), files['face.png']!]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope/);
  const { code, stderr } = await embed(['--face', 'zero', files['face.png']!]);
  assert.equal(code, 1);
  assert.match(stderr, /--face must be a face number/);
});

test('the face models folder defaults to FACEID_FACE_MODELS, then the studio models folder', () => {
  assert.equal(defaultFaceModelsFolder(readEnvironment({ FACEID_FACE_MODELS: '/m/faces' })), path.resolve('/m/faces'));
  assert.equal(defaultFaceModelsFolder(readEnvironment({ FACEID_STUDIO_HOME: '/s' })), path.join('/s', 'models', 'insightface', 'models', 'buffalo_l'));
});
