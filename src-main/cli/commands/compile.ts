// `faceid compile CKPT [--adapter FILE] [--image-encoder DIR] [--lora FILE:STRENGTH …] [--configs DIR] [--cache DIR]`:
// compiles a checkpoint's graphs into the model cache and prints what was made, how long it took and the disk used.
import path from 'node:path';
import { readEnvironment } from '../../app/environment.ts';
import { StudioError } from '../../base/errors.ts';
import { compileModel, readConfigFolder, type LoraRequest } from '../../engine/models/compile.ts';
import { compiledCacheDir } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';
import { progressBar } from '../progress.ts';

/** "FILE:STRENGTH" (strength optional; the last colon splits, so Windows drive letters survive). */
export function parseLoraArgument(value: string): LoraRequest {
  const colon = value.lastIndexOf(':');
  const tail = colon > 1 ? value.slice(colon + 1) : '';
  if (tail !== '' && /^-?[0-9.]+$/.test(tail)) {
    const strength = Number(tail);
    if (!Number.isFinite(strength)) throw new StudioError('invalid-request', { userMessage: `--lora ${value}: "${tail}" is not a number.` });
    return { file: value.slice(0, colon), strength };
  }
  return { file: value };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export const command: CliCommand = {
  name: 'compile',
  summary: 'Compile a checkpoint (+ FaceID adapter, LoRAs) into onnxruntime graphs',
  usage: 'faceid compile CKPT [--adapter FILE] [--image-encoder DIR] [--lora FILE[:STRENGTH] …] [--configs DIR] [--cache DIR]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(this, args, {
      adapter: { type: 'string' },
      'image-encoder': { type: 'string' },
      lora: { type: 'string', multiple: true },
      configs: { type: 'string' },
      cache: { type: 'string' },
    });
    const [checkpoint, ...extra] = positionals;
    if (!checkpoint || extra.length > 0) throw new StudioError('invalid-request', { userMessage: 'Give exactly one checkpoint (file or diffusers folder).', hint: `Usage: ${this.usage}` });
    const bar = progressBar('compile', io.stderr);
    const compiled = await compileModel(checkpoint, {
      cacheDir: values.cache ?? compiledCacheDir(readEnvironment()),
      ...(values.adapter ? { adapter: values.adapter } : {}),
      ...(values['image-encoder'] ? { imageEncoder: values['image-encoder'] } : {}),
      ...(values.lora ? { loras: values.lora.map(parseLoraArgument) } : {}),
      ...(values.configs ? { configs: await readConfigFolder(values.configs) } : {}),
      signal: io.signal,
      onProgress: (p) => bar.update(p.done, p.total, p.message),
    });
    bar.finish(compiled.fromCache ? '(from cache)' : '');
    const lines = [
      `Compiled ${path.basename(compiled.checkpoint)} (${compiled.architecture}) ${compiled.fromCache ? 'was already in the cache' : `in ${compiled.compileSeconds.toFixed(1)} s`}`,
      `  folder:        ${compiled.dir}`,
      ...compiled.textEncoders.map((t) => `  ${t.component.replaceAll('_', ' ').padEnd(14)} ${path.basename(t.path)} (${t.hiddenSize} wide${t.projectionSize !== undefined ? `, pooled ${t.projectionSize}` : ''})`),
      `  unet:          ${path.basename(compiled.unet.path)}${compiled.adapter ? ` with ${compiled.adapter.variant} IP attention on ${compiled.unet.crossAttentionLayers} layers` : ''}`,
      `  vae:           ${path.basename(compiled.vaeEncoder.path)}, ${path.basename(compiled.vaeDecoder.path)} (scaling factor ${compiled.vaeScalingFactor})`,
      ...(compiled.imageEncoder ? [`  image encoder: ${path.basename(compiled.imageEncoder.path)}`] : []),
      ...compiled.loras.map((l) => `  lora[${l.index}]:       ${l.label}: ${l.entries} layers, default strength ${l.defaultStrength}${l.unmatched > 0 ? `, ${l.unmatched} LoRA tensors matched no layer` : ''}`),
      `  disk used:     ${mib(compiled.diskBytes)} (weights stay in your files)`,
      ...compiled.notices.map((n) => `  note: ${n}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
