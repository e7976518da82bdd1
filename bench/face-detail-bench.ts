// The face detail pass's cost next to the picture it repaints: one txt2img at size², then the same picture's face
// pass at the same settings (steps, CFG, sampler; repaint at size², strength 0.4 → 40 % of the steps), both through
// generate() on warm sessions. The bench weights draw no faces, so the detector is a stand-in that reports one face
// filling a fifth of the frame's width at its centre — the half-body shot the pass is for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Detection } from '../src-main/engine/face/detect.ts';
import { generate } from '../src-main/engine/pipeline/generate.ts';
import type { ModelLoader } from '../src-main/engine/pipeline/model-loader.ts';
import { TXT2IMG_REQUEST } from './engine-bench.ts';

export interface FaceDetailBench {
  readonly txt2imgSeconds: number;
  readonly passSeconds: number;
  readonly faceSide: number;
}

export async function benchFaceDetail(loader: ModelLoader, options: { model: string; size: number; steps: number; strength?: number }): Promise<FaceDetailBench> {
  const { model, size, steps } = options;
  const request = { ...TXT2IMG_REQUEST, model, steps, width: size, height: size };
  await loader.load({ model, loras: [] });
  // One step first, so that neither timing carries the sessions' first run at this size.
  await generate({ ...request, steps: 1 }, { loader });
  const started = performance.now();
  const [picture] = await generate(request, { loader });
  const txt2imgSeconds = (performance.now() - started) / 1000;
  const side = Math.round(size / 5);
  const face: Detection = { box: [(size - side) / 2, (size - side) / 2, (size + side) / 2, (size + side) / 2], score: 0.9, landmarks: [] };
  const folder = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-face-detail-'));
  try {
    const source = path.join(folder, 'picture.png');
    writeFileSync(source, picture!.png);
    const passStarted = performance.now();
    const [fixed] = await generate(
      { ...request, faceDetail: { sourceImage: source, size, strength: options.strength ?? 0.4, identityCheck: false } },
      { loader, detectFaces: async () => [face] },
    );
    const passSeconds = (performance.now() - passStarted) / 1000;
    if (fixed?.faceDetail?.repainted !== 1) throw new Error(`the face pass repainted ${fixed?.faceDetail?.repainted ?? 0} faces`);
    return { txt2imgSeconds, passSeconds, faceSide: side };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
