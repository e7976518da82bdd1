// `faceid preprocess canny IMAGE --out FILE [--low N] [--high N]`: the control image a Canny ControlNet sees, written as
// a PNG (white edges on black, R = G = B, as sd-webui-controlnet's annotator gives it), to check thresholds before a
// run or to feed `--control MODEL:FILE --preprocess none`.
// `faceid preprocess openpose IMAGE --out FILE --detector yolox_l.onnx --pose dw-ll_ucoco_384.onnx [--hands] [--face]`:
// the OpenPose map DWPose's models make of the picture, at its size (body; --hands, --face or both for openpose_hand,
// openpose_face, openpose_full).
// `faceid preprocess depth IMAGE --out FILE --model depth_anything_v2.onnx`: the depth map Depth Anything V2 makes of the
// picture (near = white), at its size.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { canny } from '../../engine/control/canny.ts';
import { controlMap } from '../../engine/control/control-image.ts';
import { openPoseSessions, poseMap, releasePoseSessions } from '../../engine/control/pose/index.ts';
import { decodeReferenceImage } from '../../engine/face/decode-image.ts';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command.ts';

const PREPROCESSORS = ['canny', 'openpose', 'depth'] as const;

function threshold(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1020) {
    throw new StudioError('invalid-request', { userMessage: `--${name} must be a number from 0 to 1020 (a Sobel gradient's range), got "${value}".` });
  }
  return n;
}

export const command: CliCommand = {
  name: 'preprocess',
  summary: 'Make the control image a ControlNet sees from a picture (canny, openpose, depth)',
  usage: 'faceid preprocess canny IMAGE --out FILE.png [--low 100] [--high 200] | openpose IMAGE --out FILE.png --detector yolox_l.onnx --pose dw-ll_ucoco_384.onnx [--hands] [--face] | depth IMAGE --out FILE.png --model DEPTH.onnx',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(command, args, {
      out: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      detector: { type: 'string' },
      pose: { type: 'string' },
      hands: { type: 'boolean' },
      face: { type: 'boolean' },
      model: { type: 'string' },
    });
    const [kind, image, ...rest] = positionals;
    if (kind === undefined || image === undefined || rest.length > 0 || !values.out) {
      throw new StudioError('invalid-request', { userMessage: 'Give the preprocessor, one image and --out FILE.', hint: `Usage: ${command.usage}` });
    }
    if (!(PREPROCESSORS as readonly string[]).includes(kind)) {
      throw new StudioError('invalid-request', { userMessage: `Unknown preprocessor "${kind}": this version runs ${PREPROCESSORS.join(', ')}.`, hint: 'For a ready control image (a pose or depth map made elsewhere) use it as is: --preprocess none.' });
    }
    if (kind === 'openpose') return openpose(path.resolve(image), values.out, values, io);
    if (kind === 'depth') return depth(path.resolve(image), values.out, values.model, io);
    const low = threshold('low', values.low, 100);
    const high = threshold('high', values.high, 200);
    const { image: rgb } = await decodeReferenceImage(path.resolve(image));
    const edges = canny({ data: rgb.data, width: rgb.width, height: rgb.height, channels: 3 }, low, high);
    await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await sharp(Buffer.from(edges), { raw: { width: rgb.width, height: rgb.height, channels: 1 } }).toColourspace('srgb').png().toFile(values.out);
    const share = edges.reduce((n, v) => n + (v === 255 ? 1 : 0), 0) / edges.length;
    io.stdout.write(`${values.out}: ${rgb.width}×${rgb.height}, Canny ${low}/${high}, ${(100 * share).toFixed(1)} % edge pixels\n`);
    return 0;
  },
};

async function depth(image: string, out: string, model: string | undefined, io: CliIo): Promise<number> {
  if (!model) throw new StudioError('invalid-request', { userMessage: 'depth needs the Depth Anything V2 model: --model FILE.onnx.', hint: `Usage: ${command.usage}` });
  const { image: rgb } = await decodeReferenceImage(image);
  const map = await controlMap(image, rgb.width, rgb.height, { preprocess: 'depth', low: 0, high: 0 }, { depthEstimator: path.resolve(model) });
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await sharp(Buffer.from(map), { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toFile(out);
  io.stdout.write(`${out}: ${rgb.width}×${rgb.height}, Depth Anything V2\n`);
  return 0;
}

async function openpose(image: string, out: string, options: { detector?: string; pose?: string; hands?: boolean; face?: boolean }, io: CliIo): Promise<number> {
  if (!options.detector || !options.pose) {
    throw new StudioError('invalid-request', {
      userMessage: 'openpose needs both DWPose models: --detector yolox_l.onnx and --pose dw-ll_ucoco_384.onnx.',
      hint: `Usage: ${command.usage}`,
    });
  }
  const { image: rgb } = await decodeReferenceImage(image);
  const sessions = await openPoseSessions(path.resolve(options.detector), path.resolve(options.pose));
  try {
    const parts = { hands: options.hands === true, face: options.face === true };
    const result = await poseMap(rgb.data, rgb.width, rgb.height, sessions, parts);
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await sharp(Buffer.from(result.map), { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toFile(out);
    const drawn = ['body', ...(parts.hands ? ['hands'] : []), ...(parts.face ? ['face'] : [])].join(' + ');
    io.stdout.write(`${out}: ${rgb.width}×${rgb.height}, OpenPose ${drawn}, ${result.people} ${result.people === 1 ? 'person' : 'people'}\n`);
    if (result.note) io.stdout.write(`Note: ${result.note}\n`);
    return 0;
  } finally {
    await releasePoseSessions(sessions);
  }
}
