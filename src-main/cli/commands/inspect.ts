// `faceid inspect PATH`: what a model file or folder is (from names and shapes), its size and sha256.
import path from 'node:path';
import { detectModel, type ModelDescription } from '../../engine/io/detect.ts';
import { sha256File } from '../../engine/io/hash.ts';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command.ts';
import { progressBar } from '../progress.ts';

export const command: CliCommand = {
  name: 'inspect',
  summary: 'Identify a model file or folder: kind, architecture, variant, sizes, sha256, licence',
  usage: 'faceid inspect PATH [--json] [--no-hash]',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(command, args, {
      json: { type: 'boolean', default: false },
      'no-hash': { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) {
      io.stderr.write(`Usage: ${command.usage}\n`);
      return 2;
    }
    const description = await detectModel(positionals[0]!);
    const sha256: Record<string, string> = {};
    if (!values['no-hash']) {
      for (const file of description.files) {
        const bar = progressBar(`sha256 ${path.basename(file)}`, io.stderr);
        sha256[file] = await sha256File(file, { signal: io.signal, onProgress: (done, total) => bar.update(done, total) });
        bar.finish();
      }
    }
    io.stdout.write(values.json ? `${JSON.stringify({ ...description, sha256 }, null, 2)}\n` : formatDescription(description, sha256));
    return 0;
  },
};

/** The human-readable report, one fact per line. */
export function formatDescription(d: ModelDescription, sha256: Readonly<Record<string, string>>): string {
  const lines: Array<[string, string]> = [
    ['path', d.path],
    ['kind', d.kind],
  ];
  if (d.architecture) lines.push(['architecture', d.architecture]);
  if (d.base) lines.push(['base', d.base]);
  if (d.variant) lines.push(['variant', d.variant]);
  lines.push(['layout', d.layout], ['format', d.format]);
  if (d.components) lines.push(['components', d.components.join(', ')]);
  lines.push(
    ['dtypes', d.dtypes.join(', ')],
    ['tensors', d.tensorCount.toLocaleString('en-US')],
    ['parameters', d.parameterCount.toLocaleString('en-US')],
    ['size', `${formatBytes(d.sizeBytes)} (${d.sizeBytes.toLocaleString('en-US')} bytes)`],
  );
  for (const [key, value] of Object.entries(d.details)) lines.push([key, String(value)]);
  for (const [file, hash] of Object.entries(sha256)) lines.push([d.files.length > 1 ? `sha256 ${path.relative(d.path, file)}` : 'sha256', hash]);
  if (d.licenceHint) lines.push(['licence', d.licenceHint]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return `${lines.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')}\n`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
