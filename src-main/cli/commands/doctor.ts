// `faceid doctor`: which features are ready, what each still needs (with one action per missing piece),
// which folders were read, and which onnxruntime execution providers work here.
import { readEnvironment } from '../../app/environment.ts';
import { formatBytes } from '../../models/download.ts';
import { probeExecutionProviders, type ExecutionProviderStatus } from '../../models/execution-providers.ts';
import { ModelManager } from '../../models/model-manager.ts';
import type { FeatureReadiness, PieceAction } from '../../models/readiness.ts';
import { defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';

const usage = 'faceid doctor [--models DIR] [--root DIR]... [--commercial-clean] [--no-providers] [--json]';

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
      json: { type: 'boolean' },
    });
    const environment = readEnvironment();
    const folders = modelFolders({ studioDir: defaultStudioDir(environment), modelsDir: values.models });
    const manager = new ModelManager({ ...folders, userRoots: values.root ?? [], proxy: environment.proxy });
    if (values['commercial-clean']) await manager.setCommercialClean(true);
    const scan = await manager.scan(io.signal);
    const readiness = await manager.readiness(io.signal);
    const providers = values['no-providers'] ? [] : await probeExecutionProviders();

    if (values.json) {
      const report = { modelsDir: folders.modelsDir, roots: scan.roots, fileCount: scan.files.length, identifiedCount: scan.identifiedCount, readiness, executionProviders: providers };
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
    if (providers.length > 0) out.push('', 'onnxruntime execution providers:', ...providers.map(providerLine));
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
