// `faceid doctor`: which features are ready, what each still needs (with one action per missing piece),
// which folders were read, and what runs the models here: platform, onnxruntime version, each execution provider
// present and tried, the NVIDIA GPU runtime, and why a GPU provider fails (`--gpu`: that part alone).
import { readEnvironment } from '../../app/environment.ts';
import { formatBytes } from '../../models/download.ts';
import type { ExecutionProviderStatus } from '../../models/execution-providers.ts';
import { gpuReport, type GpuReport } from '../../models/gpu-report.ts';
import { ModelManager } from '../../models/model-manager.ts';
import type { FeatureReadiness, PieceAction } from '../../models/readiness.ts';
import { defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';

const usage = 'faceid doctor [--models DIR] [--root DIR]... [--commercial-clean] [--no-providers | --gpu] [--json]';

function describeAction(action: PieceAction): string {
  switch (action.type) {
    case 'download':
      return `download "${action.catalogId}" (${formatBytes(action.sizeBytes)}${action.nonCommercial ? ', research-only licence' : ''})`;
    case 'locate':
      return `locate: ${action.hint}`;
    case 'explain':
      return action.text;
  }
}

function featureLines(feature: FeatureReadiness): string[] {
  const mark = feature.status === 'ready' ? '[ok]  ' : feature.status === 'hidden' ? '[hid] ' : '[--]  ';
  const badge = feature.nonCommercial ? '  (non-commercial research only)' : '';
  const lines = [`${mark}${feature.title}${badge}`];
  if (feature.status === 'hidden') return [...lines, `        ${feature.hiddenReason}`];
  for (const piece of feature.pieces) {
    if (piece.foundAt) lines.push(`        have  ${piece.description}: ${piece.foundSummary === 'inside the adapter file' ? piece.foundSummary : piece.foundAt}`);
    else if (piece.action) lines.push(`        need  ${piece.description} → ${describeAction(piece.action)}`);
  }
  return lines;
}

function providerLine(status: ExecutionProviderStatus): string {
  return `  ${status.works ? '[ok]' : '[--]'} ${status.name}${status.bundled ? '' : ' (not bundled)'}${status.detail ? ` — ${status.detail}` : ''}`;
}

function gpuLines(report: GpuReport): string[] {
  return [
    `Platform: ${report.platform}, Node ${report.nodeVersion}, onnxruntime-node ${report.onnxruntimeVersion} (${report.nativeFolder})`,
    'Execution providers (each tried on a one-node model):',
    ...report.providers.map(providerLine),
    `NVIDIA GPU runtime: ${report.gpuRuntime.state} — ${report.gpuRuntime.detail}`,
    ...report.advice.map((line) => `  ${line}`),
    report.summary,
  ];
}

export const command: CliCommand = {
  name: 'doctor',
  summary: 'Show which features are ready, what is missing and how to get it, and which GPUs/providers work',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs({ name: 'doctor', usage }, args, {
      models: { type: 'string' },
      root: { type: 'string', multiple: true },
      'commercial-clean': { type: 'boolean' },
      'no-providers': { type: 'boolean' },
      gpu: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.gpu) {
      const report = await gpuReport();
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${gpuLines(report).join('\n')}\n`);
      return 0;
    }
    const environment = readEnvironment();
    const folders = modelFolders({ studioDir: defaultStudioDir(environment), modelsDir: values.models });
    const manager = new ModelManager({ ...folders, userRoots: values.root ?? [], proxy: environment.proxy });
    if (values['commercial-clean']) await manager.setCommercialClean(true);
    const scan = await manager.scan(io.signal);
    const readiness = await manager.readiness(io.signal);
    const gpu = values['no-providers'] ? null : await gpuReport();
    const providers = gpu?.providers ?? [];

    if (values.json) {
      const report = { modelsDir: folders.modelsDir, roots: scan.roots, fileCount: scan.files.length, identifiedCount: scan.identifiedCount, readiness, executionProviders: providers, gpu };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const out: string[] = ['FaceID Studio doctor', ''];
    out.push(`Models folder: ${folders.modelsDir}`);
    for (const root of scan.roots.slice(1)) out.push(`Also reading:  ${root.path} (${root.layout} layout)${root.error ? ` — ${root.error}` : ''}`);
    out.push(`Found ${scan.files.length} files, ${scan.identifiedCount} identified by content (${scan.fromCacheCount} from cache) in ${(scan.durationMs / 1000).toFixed(2)} s.`, '');
    out.push('Features:');
    for (const feature of readiness.features) out.push(...featureLines(feature).map((l) => `  ${l}`));
    out.push('', readiness.summary);
    if (gpu) out.push('', ...gpuLines(gpu));
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
