// `faceid models …`: the catalog from the command line — list it, download an entry with everything it needs
// (progress bars, Ctrl+C pauses and a rerun resumes), acknowledge the research-only licence once, switch
// commercial-clean mode, and store or clear the Hugging Face token (read from stdin, never from arguments).
import path from 'node:path';
import { readEnvironment } from '../../app/environment.ts';
import { StudioError } from '../../base/errors.ts';
import { formatBytes } from '../../models/download.ts';
import { GPU_RUNTIME_ID, GPU_RUNTIME_TITLE } from '../../models/gpu-runtime.ts';
import { ModelManager } from '../../models/model-manager.ts';
import { FileSecretStore, HUGGING_FACE_TOKEN } from '../../models/secret-store.ts';
import { defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command.ts';
import { progressBar, type ProgressBar } from '../progress.ts';

const usage = [
  'faceid models list [--models DIR]',
  '       faceid models download ID... [--models DIR]',
  '       faceid models acknowledge-non-commercial [--models DIR]',
  '       faceid models commercial-clean on|off [--models DIR]',
  '       faceid models set-token   (reads a Hugging Face token from stdin)',
  '       faceid models clear-token',
  '       faceid models install-gpu-runtime [--from FILE.nupkg [--sha512 HEX]]   (NVIDIA CUDA provider, Linux x64)',
].join('\n');

function tokenStore(studioDir: string): FileSecretStore {
  return new FileSecretStore(path.join(studioDir, 'secrets.json'));
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.trim();
}

async function download(manager: ModelManager, ids: readonly string[], io: CliIo): Promise<void> {
  const bars = new Map<string, ProgressBar>();
  manager.events.on('event', (event) => {
    if (event.type === 'download.progress') {
      let bar = bars.get(event.id);
      if (!bar) bars.set(event.id, (bar = progressBar(event.id, io.stderr)));
      const { receivedBytes, totalBytes, bytesPerSecond, etaSeconds } = event.progress;
      const note = `${formatBytes(receivedBytes)}${totalBytes ? ` of ${formatBytes(totalBytes)}` : ''}, ${formatBytes(bytesPerSecond)}/s${etaSeconds !== null ? `, ${Math.ceil(etaSeconds)} s left` : ''}`;
      bar.update(receivedBytes, totalBytes ?? 0, note);
    } else if (event.type === 'download.state' && event.state === 'finished') {
      bars.get(event.id)?.finish();
    }
  });
  for (const id of ids) {
    const installed = await manager.download(id, { signal: io.signal });
    for (const model of installed) io.stdout.write(`${model.id}: ${model.path}${model.sha256 ? `\n  sha256 ${model.sha256}` : ' (already there)'}\n`);
  }
}

export const command: CliCommand = {
  name: 'models',
  summary: 'List the model catalog, download models with their dependencies, licence and token settings',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({ name: 'models', usage }, args, { models: { type: 'string' }, from: { type: 'string' }, sha512: { type: 'string' } });
    const [action, ...rest] = positionals;
    const environment = readEnvironment();
    const studioDir = defaultStudioDir(environment);
    const folders = modelFolders({ studioDir, modelsDir: values.models });
    const manager = new ModelManager({ ...folders, secretStore: tokenStore(studioDir), proxy: environment.proxy });
    switch (action) {
      case 'list':
        for (const entry of manager.catalog().entries) {
          const flags = [entry.licence.nonCommercial ? 'research only' : null, entry.sha256 ? 'sha256 published' : 'unverified'].filter(Boolean).join(', ');
          io.stdout.write(`${entry.id.padEnd(30)} ${formatBytes(entry.sizeBytes).padStart(9)}  ${entry.title} [${flags}]\n`);
        }
        return 0;
      case 'download':
        if (rest.length === 0) throw new StudioError('invalid-request', { userMessage: 'Name at least one model id to download.', hint: 'See `faceid models list`.' });
        await download(manager, rest, io);
        return 0;
      case 'acknowledge-non-commercial':
        await manager.acknowledgeNonCommercial();
        io.stdout.write('Noted: research-only models (IP-Adapter FaceID, InsightFace) may now be downloaded for non-commercial research use.\n');
        return 0;
      case 'commercial-clean':
        if (rest[0] !== 'on' && rest[0] !== 'off') throw new StudioError('invalid-request', { userMessage: 'Say `on` or `off`.', hint: `Usage: ${usage}` });
        await manager.setCommercialClean(rest[0] === 'on');
        io.stdout.write(`${(await manager.readiness(io.signal)).summary}\n`);
        return 0;
      case 'set-token': {
        const token = await readStdinLine();
        if (!token) throw new StudioError('invalid-request', { userMessage: 'No token was given on stdin.', hint: 'Example: faceid models set-token < token.txt' });
        await tokenStore(studioDir).set(HUGGING_FACE_TOKEN, token);
        io.stdout.write(`Hugging Face token stored in ${tokenStore(studioDir).file} (readable only by you).\n`);
        return 0;
      }
      case 'clear-token':
        await tokenStore(studioDir).delete(HUGGING_FACE_TOKEN);
        io.stdout.write('Hugging Face token removed.\n');
        return 0;
      case 'install-gpu-runtime': {
        const state = manager.gpuRuntime();
        if (state.state === 'unsupported') throw new StudioError('model.gpu-runtime-unsupported', { userMessage: `The ${GPU_RUNTIME_TITLE} cannot be used here: ${state.reason}.` });
        if (state.state === 'installed' && !values.from) {
          io.stdout.write(`${GPU_RUNTIME_TITLE} already installed in ${state.nativeFolder}.\n`);
          return 0;
        }
        const bar = progressBar(GPU_RUNTIME_ID, io.stderr);
        manager.events.on('event', (event) => {
          if (event.type === 'download.progress') bar.update(event.progress.receivedBytes, event.progress.totalBytes ?? 0, formatBytes(event.progress.receivedBytes));
        });
        const installed = await manager.installGpuRuntime({ signal: io.signal, ...(values.from ? { localPackage: values.from } : {}), ...(values.sha512 ? { localPackageSha512: values.sha512 } : {}) });
        bar.finish();
        io.stdout.write(`${GPU_RUNTIME_TITLE} (${state.package.nugetId} ${state.package.version}) installed in ${installed.nativeFolder}: ${installed.files.join(', ')}\n  verified against ${installed.verifiedAgainst}\n  sha512 ${installed.sha512}\nRun \`faceid doctor\` to see whether CUDA works (it also needs CUDA 12 and cuDNN 9).\n`);
        return 0;
      }
      default:
        throw new StudioError('invalid-request', { userMessage: `Unknown action "${action ?? ''}".`, hint: `Usage: ${usage}` });
    }
  },
};
