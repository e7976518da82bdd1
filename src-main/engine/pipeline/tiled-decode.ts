// Tiled VAE decode, as A1111 and ComfyUI offer it for large images: the latent is cut into overlapping tiles, each
// decoded on its own with a margin of latent context around it (cropped off after decoding, so the decoder's
// zero padding never reaches the kept pixels), and the kept tiles are blended with linear ramps across every overlap.
// Memory is then bounded by one padded tile's decode (plus the output) whatever the image size.
//
// Not identical to an untiled decode: the decoder's GroupNorm statistics and its mid-block attention see one tile,
// not the whole image, so a tile whose content differs from the image's as a whole comes out slightly shifted (the
// colour shift A1111's and ComfyUI's tiled decodes have too). On the tiny fixture VAE (random weights and one channel
// per GroupNorm group, a harsh case) with a latent whose every tile has the image's statistics, tile interiors are
// 0.03–0.06 std from the untiled decode on average (tiled-decode.test.ts states ≤ 0.05 for its geometry); with a
// latent whose tiles differ, 0.07–0.14 std. A decoder without global operations tiles exactly (the test shows it).
// The ramps hide what differs at the seams. Below `aboveLatentPixels` the decode is untiled, exactly as before.
//
//   const image = await decodeTiled(latent, h, w, (tile, th, tw) => decodeOnce(tile, th, tw), DEFAULT_TILING);

/** Tile geometry, in latent pixels (×8 in the image for SD's VAEs). */
export interface DecodeTiling {
  /** Tile only when the latent has more than this many pixels (h·w). */
  readonly aboveLatentPixels: number;
  /** Side of a tile's kept part. */
  readonly tile: number;
  /** The least overlap between neighbouring tiles' kept parts; the blend ramps span it. */
  readonly overlap: number;
  /** Latent context decoded around a tile (where the image has it) and cropped off. */
  readonly margin: number;
}

/**
 * Above 1024² (128² latent pixels): kept tiles of 64² latent pixels overlapping by 16, each decoded with 8 more on
 * every side (A1111's Tiled VAE pads its decoder tiles by 11; ComfyUI's tiled decode uses 64² latent tiles), so one
 * decode is at most 80² latent = 640² pixels, whose memory bounds every size. 960² windows (96 + 2 × 12) peaked at
 * 9.9 GB for a 2048² decode of the full-size SD1.5 VAE; at 2048² this is 5 × 5 windows, about 1.2× the pixels.
 */
export const DEFAULT_TILING: DecodeTiling = { aboveLatentPixels: 128 * 128, tile: 64, overlap: 16, margin: 8 };

/**
 * Start offsets of tiles of `tile` covering [0, length) with overlaps of at least `overlap`, spread evenly (each
 * tile is whole: the last one ends at `length`). One tile at 0 when it covers the whole length.
 */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (!(tile > overlap && overlap >= 0)) throw new RangeError(`tile ${tile} must exceed overlap ${overlap} ≥ 0`);
  if (length <= tile) return [0];
  const count = Math.ceil((length - overlap) / (tile - overlap));
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - tile)) / (count - 1)));
}

/**
 * Blend weights along one axis of a kept tile of `size` pixels: a linear ramp over `ramp` pixels on each side that
 * borders a neighbouring tile, 1 elsewhere. Never 0, so every output pixel has weight.
 */
export function axisWeights(size: number, ramp: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let w = 1;
    if (rampStart) w = Math.min(w, (i + 0.5) / ramp);
    if (rampEnd) w = Math.min(w, (size - i - 0.5) / ramp);
    weights[i] = w;
  }
  return weights;
}

/** Copies a [channels, h, w] latent's window [y, y+th) × [x, x+tw). */
function cropLatent(latent: Float32Array, channels: number, h: number, w: number, y: number, x: number, th: number, tw: number): Float32Array {
  const out = new Float32Array(channels * th * tw);
  for (let c = 0; c < channels; c++) {
    for (let row = 0; row < th; row++) {
      const from = c * h * w + (y + row) * w + x;
      out.set(latent.subarray(from, from + tw), c * th * tw + row * tw);
    }
  }
  return out;
}

/** A decoded image [1, channels, height, width]. */
export interface Decoded {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Decodes a latent [channels, h, w] (batch 1) through `decodeTile`, in tiles when it has more than
 * `tiling.aboveLatentPixels` pixels. Returns what `decodeTile` returns for the whole latent: [outChannels, h·s, w·s]
 * with the decoder's scale s (read from the first tile's output).
 */
export async function decodeTiled(
  latent: Float32Array,
  h: number,
  w: number,
  decodeTile: (tile: Float32Array, tileHeight: number, tileWidth: number) => Promise<Decoded>,
  tiling: DecodeTiling = DEFAULT_TILING,
): Promise<Float32Array> {
  if (h * w <= tiling.aboveLatentPixels) return (await decodeTile(latent, h, w)).data;
  const channels = latent.length / (h * w);
  const rows = tileStarts(h, tiling.tile, tiling.overlap);
  const columns = tileStarts(w, tiling.tile, tiling.overlap);
  const th = Math.min(tiling.tile, h);
  const tw = Math.min(tiling.tile, w);
  let sum: Float32Array | undefined;
  let weightSum: Float32Array | undefined;
  let scale = 0;
  let outChannels = 0;
  for (const [i, y] of rows.entries()) {
    for (const [j, x] of columns.entries()) {
      // The decoded window: the kept tile with its margin, moved inside the latent at the edges so that every window
      // has the same shape (onnxruntime then reuses one memory plan and its arena does not grow per shape).
      const [wh, ww] = [Math.min(h, th + 2 * tiling.margin), Math.min(w, tw + 2 * tiling.margin)];
      const [y0, x0] = [Math.min(Math.max(0, y - tiling.margin), h - wh), Math.min(Math.max(0, x - tiling.margin), w - ww)];
      const [y1, x1] = [y0 + wh, x0 + ww];
      const { data: decoded, dims } = await decodeTile(cropLatent(latent, channels, h, w, y0, x0, y1 - y0, x1 - x0), y1 - y0, x1 - x0);
      if (!sum || !weightSum) {
        outChannels = dims[1]!;
        scale = dims[2]! / (y1 - y0);
        if (!Number.isInteger(scale) || dims[3] !== (x1 - x0) * scale) throw new RangeError(`a ${y1 - y0}×${x1 - x0} latent tile decoded to ${dims.join('×')}: not a whole multiple`);
        sum = new Float32Array(outChannels * h * scale * w * scale);
        weightSum = new Float32Array(h * scale * w * scale);
      }
      const ramp = tiling.overlap * scale;
      const wy = axisWeights(th * scale, ramp, i > 0, i < rows.length - 1);
      const wx = axisWeights(tw * scale, ramp, j > 0, j < columns.length - 1);
      const [H, W, TH, TW] = [h * scale, w * scale, th * scale, tw * scale];
      const [DH, DW] = [(y1 - y0) * scale, (x1 - x0) * scale];
      const [offsetY, offsetX] = [(y - y0) * scale, (x - x0) * scale];
      for (let row = 0; row < TH; row++) {
        const outRow = (y * scale + row) * W + x * scale;
        for (let col = 0; col < TW; col++) weightSum[outRow + col]! += wy[row]! * wx[col]!;
        for (let c = 0; c < outChannels; c++) {
          const from = c * DH * DW + (offsetY + row) * DW + offsetX;
          const to = c * H * W + outRow;
          for (let col = 0; col < TW; col++) sum[to + col]! += decoded[from + col]! * wy[row]! * wx[col]!;
        }
      }
    }
  }
  const pixels = weightSum!.length;
  for (let c = 0; c < outChannels; c++) for (let p = 0; p < pixels; p++) sum![c * pixels + p]! /= weightSum![p]!;
  return sum!;
}
