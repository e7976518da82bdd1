// Canny edges exactly as OpenCV's cv2.Canny(image, low, high) computes them with its defaults (apertureSize 3,
// L2gradient false): the control image the Canny ControlNets were trained on (lllyasviel's annotator, sd-webui-
// controlnet and diffusers all run cv2.Canny on the RGB picture). Checked pixel for pixel against OpenCV 4.6.0
// (fixtures control/goldens/canny); the steps follow the recipe in fixtures control/reference.

/** tan(22.5°) in Q15, OpenCV's fixed-point direction test. */
const TG22 = 13573;

export interface U8Image {
  /** Row-major, interleaved channels (1 = gray, 3 = RGB; any count works). */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Sobel dx, dy (3×3, replicated border) of the channel with the largest |dx| + |dy| per pixel (the first on ties). */
function strongestGradient(image: U8Image): { dx: Int32Array; dy: Int32Array; magnitude: Int32Array } {
  const { data, width, height, channels } = image;
  const size = width * height;
  const dx = new Int32Array(size);
  const dy = new Int32Array(size);
  const magnitude = new Int32Array(size).fill(-1);
  const at = (y: number, x: number, c: number) => data[(Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) * channels + c]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      for (let c = 0; c < channels; c++) {
        const gx = at(y - 1, x + 1, c) + 2 * at(y, x + 1, c) + at(y + 1, x + 1, c) - (at(y - 1, x - 1, c) + 2 * at(y, x - 1, c) + at(y + 1, x - 1, c));
        const gy = at(y + 1, x - 1, c) + 2 * at(y + 1, x, c) + at(y + 1, x + 1, c) - (at(y - 1, x - 1, c) + 2 * at(y - 1, x, c) + at(y - 1, x + 1, c));
        const m = Math.abs(gx) + Math.abs(gy);
        if (m > magnitude[i]!) {
          magnitude[i] = m;
          dx[i] = gx;
          dy[i] = gy;
        }
      }
    }
  }
  return { dx, dy, magnitude };
}

/** Non-maximum suppression along the gradient's direction (horizontal, vertical or one of the diagonals). */
function localMaxima(width: number, height: number, { dx, dy, magnitude }: ReturnType<typeof strongestGradient>, low: number): Uint8Array {
  const m = (y: number, x: number) => (y < 0 || y >= height || x < 0 || x >= width ? 0 : magnitude[y * width + x]!);
  const kept = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const here = magnitude[i]!;
      if (here <= low) continue;
      // OpenCV's integer test; exact in doubles (|dx|, |dy| ≤ 1020 for 8-bit images, products below 2^27).
      const ax = Math.abs(dx[i]!);
      const ay = Math.abs(dy[i]!) * 32768;
      const tg22x = ax * TG22;
      const tg67x = tg22x + ax * 65536;
      let isMax: boolean;
      if (ay < tg22x) isMax = here > m(y, x - 1) && here >= m(y, x + 1);
      else if (ay > tg67x) isMax = here > m(y - 1, x) && here >= m(y + 1, x);
      else {
        const s = dx[i]! < 0 !== dy[i]! < 0 ? -1 : 1;
        isMax = here > m(y - 1, x - s) && here > m(y + 1, x + s);
      }
      if (isMax) kept[i] = 1;
    }
  }
  return kept;
}

/** cv2.Canny(image, low, high): 255 on edges, 0 elsewhere, one channel of the image's size. */
export function canny(image: U8Image, lowThreshold: number, highThreshold: number): Uint8Array {
  const { width, height } = image;
  const [lo, hi] = lowThreshold > highThreshold ? [highThreshold, lowThreshold] : [lowThreshold, highThreshold];
  const low = Math.floor(lo);
  const high = Math.floor(hi);
  const gradient = strongestGradient(image);
  const candidate = localMaxima(width, height, gradient, low);
  // Hysteresis: every candidate 8-connected (through candidates) to one above the high threshold is an edge.
  const edges = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let i = 0; i < edges.length; i++) {
    if (candidate[i] && gradient.magnitude[i]! > high && !edges[i]) {
      edges[i] = 255;
      stack.push(i);
      while (stack.length > 0) {
        const j = stack.pop()!;
        const y = Math.floor(j / width);
        const x = j - y * width;
        for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
          for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
            const k = ny * width + nx;
            if (candidate[k] && !edges[k]) {
              edges[k] = 255;
              stack.push(k);
            }
          }
        }
      }
    }
  }
  return edges;
}
