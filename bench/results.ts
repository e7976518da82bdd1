// bench/results.json: what one `npm run bench` run measured, on which machine, with how many repeats. Every figure
// the issue asks for has a fixed id (FIGURES); one that could not be measured is `{ na: reason }`, never left out.
// Ratios (fraction of peak, overhead) are computed from figures of the same run only.
import { z } from 'zod';

export const RESULTS_SCHEMA_VERSION = 1;

const MeasuredSchema = z.object({
  value: z.number().finite(),
  unit: z.string(),
  /** How many timed repeats the value summarises (median unless the note says otherwise). */
  repeats: z.number().int().positive().optional(),
  note: z.string().optional(),
});
const NotAvailableSchema = z.object({ na: z.string().min(1) });
export const FigureSchema = z.union([MeasuredSchema, NotAvailableSchema]);
export type Figure = z.infer<typeof FigureSchema>;
export type Measured = z.infer<typeof MeasuredSchema>;

/** Every figure of a run, in table order, with its label. */
export const FIGURES = {
  'indexing.seconds': 'Index checkpoint: time',
  'indexing.heap': 'Index checkpoint: heap growth',
  'compile.seconds': 'Compile (plain): time',
  'compile.faceid_seconds': 'Compile (FaceID adapter + LoRA): time',
  'compile.extra_disk': 'Compile: extra disk (both compilations)',
  'compile.peak_rss': 'Compile: peak RSS (child process)',
  'matmul.peak': 'ORT MatMul peak (2048³ / 4096×4096×1024, all threads)',
  'matmul.unet_like': 'ORT MatMul on UNet-like shapes (best)',
  'attention.512.fused': 'UNet self-attention layer 512², fused (MultiHeadAttention)',
  'attention.512.unfused': 'UNet self-attention layer 512², unfused (MatMul → Softmax → MatMul)',
  'unet.session_open': 'UNet session open (plain)',
  'unet.256.flops': 'UNet 256² CFG×2: FLOPs/step (graph)',
  'unet.256.step': 'UNet 256² CFG×2: time/step',
  'unet.256.achieved': 'UNet 256² CFG×2: achieved',
  'unet.256.peak_fraction': 'UNet 256² CFG×2: fraction of peak',
  'unet.256.faceid.flops': 'UNet 256² + FaceID + LoRA: FLOPs/step',
  'unet.256.faceid.step': 'UNet 256² + FaceID + LoRA: time/step',
  'unet.256.faceid.achieved': 'UNet 256² + FaceID + LoRA: achieved',
  'unet.256.faceid.peak_fraction': 'UNet 256² + FaceID + LoRA: fraction of peak',
  'unet.512.flops': 'UNet 512² CFG×2: FLOPs/step (graph)',
  'unet.512.step': 'UNet 512² CFG×2: time/step',
  'unet.512.achieved': 'UNet 512² CFG×2: achieved',
  'unet.512.peak_fraction': 'UNet 512² CFG×2: fraction of peak',
  'unet.512.faceid.flops': 'UNet 512² + FaceID + LoRA: FLOPs/step',
  'unet.512.faceid.step': 'UNet 512² + FaceID + LoRA: time/step',
  'unet.512.faceid.achieved': 'UNet 512² + FaceID + LoRA: achieved',
  'unet.512.faceid.peak_fraction': 'UNet 512² + FaceID + LoRA: fraction of peak',
  'text_encoder.seconds': 'Text encoder (2×77 tokens)',
  'vae.decode.256': 'VAE decode 256²',
  'vae.decode.512': 'VAE decode 512²',
  'vae.encode.256': 'VAE encode 256²',
  'vae.encode.512': 'VAE encode 512²',
  'vae.tiled.2048.seconds': 'VAE decode 2048², tiled',
  'vae.tiled.2048.peak_rss': 'VAE decode 2048², tiled: peak RSS (child)',
  'txt2img.256.wall': 'txt2img 256², 4 steps: wall',
  'txt2img.256.parts': 'txt2img 256², 4 steps: sum of parts',
  'txt2img.256.overhead': 'txt2img 256², 4 steps: pipeline overhead',
  'face.per_reference': 'Face: detect + align + embed per reference',
  'face_detail.512.txt2img': 'txt2img 512², 4 steps (beside the face pass): wall',
  'face_detail.512.pass': 'Face detail pass 512² (one face, same settings): wall',
  'controlnet.compile.seconds': 'ControlNet compile (full-size SD1.5): time',
  'controlnet.compile.extra_disk': 'ControlNet compile: extra disk',
  'controlnet.512.flops': 'ControlNet 512² CFG×2: FLOPs/step (graph)',
  'controlnet.512.step': 'ControlNet 512² CFG×2: time/step',
  'controlnet.512.unet_step': 'UNet 512² CFG×2 next to it: time/step',
  'controlnet.512.ratio': 'One ControlNet unit: share of a UNet step',
  'preview.512.taesd': 'TAESD preview 512²: time',
  'preview.512.unet_step': 'UNet 512² CFG×2 next to it: time/step',
  'preview.512.ratio': 'TAESD preview every step: share of a UNet step',
  'preview.512.vae': 'Full VAE decode 512² (for comparison)',
  'side.256.ours.step': 'Side by side 256², ours: time/step',
  'side.256.ours.fixed': 'Side by side 256², ours: fixed cost per image',
  'side.256.ours.peak_rss': 'Side by side 256², ours: peak RSS',
  'side.256.ours.fixed_second': 'Side by side 256², ours: fixed cost of a second job in the same process',
  'side.256.sdcpp.step': 'Side by side 256², stable-diffusion.cpp: time/step',
  'side.256.sdcpp.fixed': 'Side by side 256², stable-diffusion.cpp: fixed cost per image',
  'side.256.sdcpp.peak_rss': 'Side by side 256², stable-diffusion.cpp: peak RSS',
  'side.256.step_ratio': 'Side by side 256²: step time ours / sd.cpp',
  'side.256.fixed_ratio': 'Side by side 256²: fixed cost ours / sd.cpp',
  'side.256.rss_ratio': 'Side by side 256²: peak RSS ours / sd.cpp',
  'side.256.fixed_second_ratio': 'Side by side 256²: fixed cost of our second job / sd.cpp\'s (every job)',
  'side.512.ours.step': 'Side by side 512², ours: time/step',
  'side.512.ours.fixed': 'Side by side 512², ours: fixed cost per image',
  'side.512.ours.peak_rss': 'Side by side 512², ours: peak RSS',
  'side.512.ours.fixed_second': 'Side by side 512², ours: fixed cost of a second job in the same process',
  'side.512.sdcpp.step': 'Side by side 512², stable-diffusion.cpp: time/step',
  'side.512.sdcpp.fixed': 'Side by side 512², stable-diffusion.cpp: fixed cost per image',
  'side.512.sdcpp.peak_rss': 'Side by side 512², stable-diffusion.cpp: peak RSS',
  'side.512.step_ratio': 'Side by side 512²: step time ours / sd.cpp',
  'side.512.fixed_ratio': 'Side by side 512²: fixed cost ours / sd.cpp',
  'side.512.rss_ratio': 'Side by side 512²: peak RSS ours / sd.cpp',
  'side.512.fixed_second_ratio': 'Side by side 512²: fixed cost of our second job / sd.cpp\'s (every job)',
  'library.insert': 'Library: insert 100k generations',
  'library.page_p50': 'Library: page of 100, filtered, p50',
  'library.page_p99': 'Library: page of 100, filtered, p99',
  'gallery.first_page': 'Gallery, 100k rows, Chromium: first page',
  'gallery.filter': 'Gallery, 100k rows, Chromium: filter to new count',
  'gallery.sort': 'Gallery, 100k rows, Chromium: sort to new first tile',
  'selftest.cpu': 'Self-test (tiny models): CPU time',
  'engine.event_loop_lag_idle_p99': 'Main event-loop lag p99, idle (noise floor)',
  'engine.event_loop_lag_p99': 'Main event-loop lag p99 while a job runs',
  'run.peak_rss': 'Peak RSS of the whole run (this process)',
  'weights.fast.peak_rss': 'Fast weights (expanded fp32): peak RSS, txt2img 256² (child)',
  'weights.compact.peak_rss': 'Compact weights (as stored): peak RSS, txt2img 256² (child)',
  'weights.fast.first_image': 'Fast weights: first image (sessions open + txt2img)',
  'weights.compact.first_image': 'Compact weights: first image (sessions open + txt2img)',
  'weights.fast.warm_image': 'Fast weights: next image (warm)',
  'weights.compact.warm_image': 'Compact weights: next image (warm)',
  'weights.compact.warm_ratio': 'Compact ÷ fast: warm image time',
  'sdxl.compile.seconds': 'SDXL compile (plain): time',
  'sdxl.compile.faceid_seconds': 'SDXL compile (FaceID adapter + LoRA): time',
  'sdxl.compile.extra_disk': 'SDXL compile: extra disk (both compilations)',
  'sdxl.compile.peak_rss': 'SDXL compile: peak RSS (child process)',
  'sdxl.unet.1024.flops': 'SDXL UNet 1024² CFG×2: FLOPs/step (graph)',
  'sdxl.unet.1024.step': 'SDXL UNet 1024² CFG×2: time/step',
  'sdxl.unet.1024.peak_fraction': 'SDXL UNet 1024² CFG×2: fraction of MatMul peak',
  'sdxl.text_encoders.seconds': 'SDXL text encoders (CLIP-L + bigG, 2×77 tokens)',
  'sdxl.vae.decode.1024': 'SDXL VAE decode 1024²',
  'sdxl.weights.fast.peak_rss': 'SDXL fast weights: peak RSS, txt2img 1024², 1 step (child)',
  'sdxl.weights.compact.peak_rss': 'SDXL compact weights: peak RSS, txt2img 1024², 1 step (child)',
} as const;
export type FigureId = keyof typeof FIGURES;

export const TargetSchema = z.object({
  target: z.string(),
  figure: z.string(),
  /** null when the figure is n/a. */
  met: z.boolean().nullable(),
  detail: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

export const ResultsSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  mode: z.enum(['quick', 'full']),
  startedAt: z.string(),
  wallSeconds: z.number().nonnegative(),
  machine: z.object({
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    totalMemoryBytes: z.number().positive(),
    platform: z.string(),
    arch: z.string(),
    node: z.string(),
    onnxruntime: z.string(),
    loadAverageAtStart: z.number(),
  }),
  inputs: z.record(z.string(), z.union([z.string(), z.number()])),
  figures: z.record(z.string(), FigureSchema).refine((figures) => Object.keys(FIGURES).every((id) => id in figures), { message: 'every figure id must be present (n/a with a reason if not measured)' }),
  targets: z.array(TargetSchema),
});
export type Results = z.infer<typeof ResultsSchema>;

export const measured = (value: number, unit: string, extra: { repeats?: number; note?: string } = {}): Measured => ({ value, unit, ...extra });
export const notAvailable = (reason: string): Figure => ({ na: reason });
export const isMeasured = (figure: Figure | undefined): figure is Measured => figure !== undefined && 'value' in figure;

/** Fills every figure id not measured with n/a and a reason. */
export function completeFigures(figures: Partial<Record<FigureId, Figure>>, missingReason: string): Record<FigureId, Figure> {
  const out = {} as Record<FigureId, Figure>;
  for (const id of Object.keys(FIGURES) as FigureId[]) out[id] = figures[id] ?? notAvailable(missingReason);
  return out;
}

/** Median of the values (the middle one, or the mean of the two middle ones). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Percentile with linear interpolation between closest ranks (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

function formatValue(figure: Figure): string {
  if (!isMeasured(figure)) return `n/a (${figure.na})`;
  const digits = Math.abs(figure.value) >= 100 ? 0 : Math.abs(figure.value) >= 10 ? 1 : Math.abs(figure.value) >= 1 ? 2 : 3;
  return `${figure.value.toFixed(digits)} ${figure.unit}`;
}

/** The figures as an aligned text table (label, value, repeats, note). */
export function formatTable(results: Pick<Results, 'figures'>): string {
  const rows = (Object.keys(FIGURES) as FigureId[]).map((id) => {
    const figure = results.figures[id] ?? notAvailable('missing');
    return [FIGURES[id], formatValue(figure), isMeasured(figure) && figure.repeats ? `×${figure.repeats}` : '', isMeasured(figure) ? (figure.note ?? '') : ''];
  });
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd()).join('\n');
}

/** The targets, checked against this run's figures (they are goals to chase, not tests). */
export function evaluateTargets(figures: Record<FigureId, Figure>, context: { fp16WeightBytes: number; workingSetBytes?: number; txt2imgWorkingSetBytes?: number }): Target[] {
  const check = (target: string, id: FigureId, ok: (value: number) => boolean, detail: (value: number) => string): Target => {
    const figure = figures[id];
    if (!isMeasured(figure)) return { target, figure: id, met: null, detail: `n/a (${'na' in figure ? figure.na : ''})` };
    return { target, figure: id, met: ok(figure.value), detail: detail(figure.value) };
  };
  const targets: Target[] = [];
  for (const id of ['unet.256.peak_fraction', 'unet.256.faceid.peak_fraction', 'unet.512.peak_fraction', 'unet.512.faceid.peak_fraction'] as const) {
    targets.push(check('UNet step ≥ 60 % of measured peak', id, (v) => v >= 60, (v) => `${v.toFixed(1)} %`));
  }
  targets.push(check('pipeline overhead ≤ 2 %', 'txt2img.256.overhead', (v) => v <= 2, (v) => `${v.toFixed(1)} %`));
  targets.push(check('compile extra disk ≤ 10 MB', 'compile.extra_disk', (v) => v <= 10, (v) => `${v.toFixed(2)} MB`));
  const working = context.workingSetBytes ?? 0;
  const limitMb = (1.3 * context.fp16WeightBytes + working) / 1e6;
  const txt2imgLimitMb = (1.3 * context.fp16WeightBytes + (context.txt2imgWorkingSetBytes ?? working)) / 1e6;
  targets.push(
    check('peak RSS ≤ 1.3 × fp16 weights + fp32 working set', 'run.peak_rss', (v) => v <= limitMb, (v) => `${v.toFixed(0)} MB vs limit ${limitMb.toFixed(0)} MB (1.3 × ${(context.fp16WeightBytes / 1e6).toFixed(0)} MB + working set ${(working / 1e6).toFixed(0)} MB)`),
    check('peak RSS ≤ 1.3 × fp16 weights + fp32 working set (compact weights, txt2img 256²)', 'weights.compact.peak_rss', (v) => v <= txt2imgLimitMb, (v) => `${v.toFixed(0)} MB vs limit ${txt2imgLimitMb.toFixed(0)} MB (working set at 256²)`),
  );
  targets.push(check('library page p99 ≤ 5 ms at 100k rows', 'library.page_p99', (v) => v <= 5, (v) => `${v.toFixed(2)} ms`));
  targets.push(
    check('gallery first page ≤ 300 ms at 100k rows', 'gallery.first_page', (v) => v <= 300, (v) => `${v.toFixed(0)} ms`),
    check('gallery filter ≤ 100 ms at 100k rows', 'gallery.filter', (v) => v <= 100, (v) => `${v.toFixed(0)} ms`),
    check('gallery sort ≤ 100 ms at 100k rows', 'gallery.sort', (v) => v <= 100, (v) => `${v.toFixed(0)} ms`),
  );
  targets.push(check('event-loop lag p99 ≤ 20 ms', 'engine.event_loop_lag_p99', (v) => v <= 20, (v) => `${v.toFixed(1)} ms`));
  targets.push(check('self-test ≤ 60 s of CPU', 'selftest.cpu', (v) => v <= 60, (v) => `${v.toFixed(1)} s`));
  targets.push(check('UNet step ≤ 0.5 × stable-diffusion.cpp\'s (512²)', 'side.512.step_ratio', (v) => v <= 0.5, (v) => `${v.toFixed(2)}×`));
  for (const id of ['side.256.fixed_ratio', 'side.512.fixed_ratio'] as const) targets.push(check('fixed cost per image ≤ stable-diffusion.cpp\'s (first job)', id, (v) => v <= 1, (v) => `${v.toFixed(2)}×`));
  for (const id of ['side.256.fixed_second_ratio', 'side.512.fixed_second_ratio'] as const) targets.push(check('fixed cost per image ≤ stable-diffusion.cpp\'s (second job)', id, (v) => v <= 1, (v) => `${v.toFixed(2)}×`));
  targets.push(check('peak RSS of a 512² txt2img ≤ stable-diffusion.cpp\'s', 'side.512.rss_ratio', (v) => v <= 1, (v) => `${v.toFixed(2)}×`));
  targets.push(check('TAESD preview ≤ 2 % of a step', 'preview.512.ratio', (v) => v <= 2, (v) => `${v.toFixed(1)} %`));
  targets.push(check('SDXL compile ≤ 10 s', 'sdxl.compile.seconds', (v) => v <= 10, (v) => `${v.toFixed(1)} s`));
  targets.push(check('SDXL compile extra disk ≤ 10 MB', 'sdxl.compile.extra_disk', (v) => v <= 10, (v) => `${v.toFixed(2)} MB`));
  targets.push(check('SDXL 1024² in compact weights fits 24 GB', 'sdxl.weights.compact.peak_rss', (v) => v <= 24 * 1024, (v) => `${(v / 1024).toFixed(1)} GB`));
  return targets;
}

export function formatTargets(targets: readonly Target[]): string {
  return targets.map((t) => `${t.met === null ? '  n/a' : t.met ? '  met' : ' MISS'}  ${t.target} [${t.figure}]: ${t.detail}`).join('\n');
}
