// `--control CONTROLNET:IMAGE[:WEIGHT[:START:END]]` and `--t2i ADAPTER:IMAGE[:WEIGHT[:START:END]]` (each repeatable) and
// `--preprocess canny|none` (once for every unit, or once per unit: the --control units first, then the --t2i ones) as
// the generation's control units.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../base/errors.ts';
import { CONTROL_PREPROCESSORS, type ControlPreprocessor, type GenerationParamsInput } from '../../src-preload/contract/generation.ts';
import type { AnnotatorFiles } from '../engine/control/control-image.ts';
import { identifyOnnxModel } from '../models/identify-onnx.ts';

export const CONTROL_OPTIONS = {
  control: { type: 'string', multiple: true },
  annotators: { type: 'string' },
  t2i: { type: 'string', multiple: true },
  preprocess: { type: 'string', multiple: true },
} as const;

export const CONTROL_USAGE = `[--control CONTROLNET:IMAGE[:WEIGHT[:START:END]]]… [--t2i ADAPTER:IMAGE[:WEIGHT[:START:END]]]… [--preprocess ${CONTROL_PREPROCESSORS.join('|')}]… [--annotators DIR]`;

type Values = Readonly<Record<string, unknown>>;

function invalid(userMessage: string): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, hint: `Control options: ${CONTROL_USAGE}` });
}

/** MODEL:IMAGE[:WEIGHT[:START:END]] — numbers taken from the right, so paths keep their own colons (C:\…). */
export function parseControlArgument(value: string, option = '--control'): { model: string; image: string; weight?: number; start?: number; end?: number } {
  const parts = value.split(':');
  const numbers: number[] = [];
  while (parts.length > 2 && numbers.length < 3 && /^\d+(\.\d+)?$/u.test(parts[parts.length - 1]!)) numbers.unshift(Number(parts.pop()));
  if (numbers.length === 2) throw invalid(`${option} ${value}: give WEIGHT, or WEIGHT:START:END.`);
  // Rejoin Windows drive letters ("C" followed by "\models\…") with the part after them.
  const paths: string[] = [];
  for (const part of parts) {
    const last = paths[paths.length - 1];
    if (last !== undefined && /^[A-Za-z]$/u.test(last) && /^[\\/]/u.test(part)) paths[paths.length - 1] = `${last}:${part}`;
    else paths.push(part);
  }
  if (paths.length !== 2 || paths.some((p) => p === '')) throw invalid(option === '--t2i' ? `--t2i ${value}: write the T2I-Adapter and the control image as ADAPTER:IMAGE.` : `--control ${value}: write the ControlNet and the control image as CONTROLNET:IMAGE.`);
  const [weight, start, end] = numbers;
  return { model: path.resolve(paths[0]!), image: path.resolve(paths[1]!), ...(weight === undefined ? {} : { weight }), ...(start === undefined ? {} : { start, end: end! }) };
}

/** `--annotators DIR`: the preprocessors' ONNX models in that folder (A1111's annotator downloads, ComfyUI's dwpose),
 * told apart by their inputs and outputs. */
export async function annotatorsFromArgs(values: Values): Promise<AnnotatorFiles | undefined> {
  const folder = values['annotators'] as string | undefined;
  if (folder === undefined) return undefined;
  const resolved = path.resolve(folder);
  const entries = await readdir(resolved, { recursive: true }).catch(() => {
    throw invalid(`--annotators ${folder}: no such folder.`);
  });
  const found: { poseDetector?: string; poseEstimator?: string; depthEstimator?: string } = {};
  for (const entry of entries.filter((e) => e.toLowerCase().endsWith('.onnx'))) {
    const file = path.join(resolved, entry);
    const kind = (await identifyOnnxModel(file, (await stat(file)).size))?.kind;
    if (kind === 'pose-detector') found.poseDetector ??= file;
    if (kind === 'pose-estimator') found.poseEstimator ??= file;
    if (kind === 'depth-estimator') found.depthEstimator ??= file;
  }
  return found;
}

export function controlUnitsFromArgs(values: Values): GenerationParamsInput['control'] {
  const units = [
    ...((values['control'] as string[] | undefined) ?? []).map((value) => ({ kind: 'controlnet' as const, ...parseControlArgument(value) })),
    ...((values['t2i'] as string[] | undefined) ?? []).map((value) => ({ kind: 't2i-adapter' as const, ...parseControlArgument(value, '--t2i') })),
  ];
  const preprocessors = (values['preprocess'] as string[] | undefined) ?? [];
  if (units.length === 0) {
    if (preprocessors.length > 0) throw invalid('--preprocess needs a --control or --t2i unit.');
    return [];
  }
  if (preprocessors.length > 1 && preprocessors.length !== units.length) throw invalid(`Give one --preprocess for every unit, or one for all: ${units.length} units (--control, then --t2i), ${preprocessors.length} --preprocess.`);
  return units.map((unit, i) => {
    const preprocess = preprocessors[preprocessors.length === 1 ? 0 : i] ?? 'none';
    if (!(CONTROL_PREPROCESSORS as readonly string[]).includes(preprocess)) throw invalid(`--preprocess ${preprocess} is not one this version runs (${CONTROL_PREPROCESSORS.join(', ')}).`);
    return { ...unit, preprocess: preprocess as ControlPreprocessor };
  });
}
