// Canny edges against OpenCV's cv2.Canny (control/goldens/canny): RGB and gray pictures at two threshold pairs, every
// pixel exact. The picture, thresholds and channel count are read from the golden's tensor names and shapes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { canny } from '../../../src-main/engine/control/canny.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

const OUTPUT = /^canny_(rgb|gray)_(\d+)_(\d+)_(\d+)$/u;

export const suite: GoldenSuite = {
  name: 'canny',
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
  },
};
