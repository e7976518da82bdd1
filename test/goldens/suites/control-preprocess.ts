// Control preprocessing against control/goldens: Canny edges equal to OpenCV's cv2.Canny (RGB and gray pictures at
// two threshold pairs) and every control-image tensor of `control_preprocess` (decoded PNG → Pillow's Lanczos to the
// generation size → [1, C, H, W] ÷ 255), all exact. Pictures, thresholds, sizes and channels come from the goldens.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { canny } from '../../../src-main/engine/control/canny.ts';
import { resizeLanczosU8 } from '../../../src-main/engine/control/pillow-resize.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

const OUTPUT = /^canny_(rgb|gray)_(\d+)_(\d+)_(\d+)$/u;

export const suite: GoldenSuite = {
  name: 'control-preprocess',
  async run(ctx) {
    const file = path.join(ctx.fixtures, 'control', 'goldens', 'canny.safetensors');
    if (!existsSync(file)) return;
    const golden = await loadGoldenTensors(file);
    for (const [name, expected] of golden.tensors) {
      const match = OUTPUT.exec(name);
      if (!match) continue;
      const [, kind, low, high, size] = match;
      const input = golden.tensors.get(`photo_${kind}_u8_${size}`);
      if (!input) {
        ctx.record({ name, error: Number.POSITIVE_INFINITY, tolerance: 0, metric: 'exact', passed: false, detail: `no photo_${kind}_u8_${size} input` });
        continue;
      }
      const [height, width, channels = 1] = input.shape;
      const edges = canny({ data: Uint8Array.from(input.data), width: width!, height: height!, channels }, Number(low), Number(high));
      ctx.check(name, edges, expected.data, 'canny');
    }

    // ControlNet images (`pre_*`): RGB (a gray PNG in all three channels); T2I-Adapter images (`t2i_pre_*`): the PNG's
    // own channels; both resized only when the golden's size differs.
    const pre = (await loadGoldenTensors(path.join(ctx.fixtures, 'control', 'goldens', 'control_preprocess.safetensors'))).tensors;
    for (const [name, png] of pre) {
      const stem = /^png_(.+)_u8$/u.exec(name)?.[1];
      if (!stem) continue;
      const [height, width, channels = 1] = png.shape as [number, number, number?];
      const pixels = Uint8Array.from(png.data);
      const rgb = channels === 3 ? pixels : Uint8Array.from({ length: height * width * 3 }, (_, i) => pixels[Math.floor(i / 3)]!);
      for (const [prefix, source, sourceChannels] of [['pre_', rgb, 3], ['t2i_pre_', pixels, channels]] as const) {
        const expected = pre.get(`${prefix}${stem}`);
        if (!expected) continue;
        const [outHeight, outWidth] = expected.shape.slice(2) as [number, number];
        const resized = resizeLanczosU8(source, width, height, sourceChannels, outWidth, outHeight);
        const plane = outWidth * outHeight;
        const chw = new Float32Array(sourceChannels * plane);
        for (let i = 0; i < plane; i++) for (let c = 0; c < sourceChannels; c++) chw[c * plane + i] = Math.fround(resized[sourceChannels * i + c]! / 255);
        ctx.check(`${prefix}${stem}`, chw, expected.data, 'controlPreprocess');
      }
    }
  },
};
