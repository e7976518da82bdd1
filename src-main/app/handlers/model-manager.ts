// Wiring: the contract's model-manager methods served by ModelManager: readiness over the studio's models folder and
// the user's model roots (Settings), downloads in the background with `models.download` events, the research-licence
// acknowledgement, commercial-clean mode (kept in the settings too) and the offline self-test.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelsInventory, ModelsReadiness } from '../../../src-preload/contract/models.ts';
import { toFailure } from '../../base/errors.ts';
import { catalogPresence } from '../../models/catalog-presence.ts';
import { probeExecutionProviders, type ExecutionProviderStatus } from '../../models/execution-providers.ts';
import { GPU_RUNTIME_ID, GPU_RUNTIME_TITLE } from '../../models/gpu-runtime.ts';
import { ModelManager, type ModelEvent } from '../../models/model-manager.ts';
import type { ProxyEnvironment } from '../../models/proxy.ts';
import { runSelftest } from '../../models/selftest/run-selftest.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

type ManagerMethods = 'readiness' | 'download' | 'stopDownload' | 'acknowledgeNonCommercial' | 'setCommercialClean' | 'selftest' | 'inventory' | 'providers' | 'gpuRuntime' | 'installGpuRuntime';

/** The studio's model manager: downloads into `<library>/models`, state beside the library. */
export function studioModelManager(libraryFolder: string, proxy?: ProxyEnvironment): ModelManager {
  return new ModelManager({ modelsDir: path.join(libraryFolder, 'models'), stateDir: libraryFolder, ...(proxy ? { proxy } : {}) });
}

export function modelManagerHandlers({ library, events, models, proxy }: StudioServices): Pick<NamespaceHandlers<'models'>, ManagerMethods> & { syncRoots(): void } {
  const manager = models ?? studioModelManager(library.folder, proxy);
  let roots = '';
  /** The user's roots from Settings; a change makes the next readiness scan again. */
  const syncRoots = (): void => {
    const current = library.settings.get().modelFolders;
    if (JSON.stringify(current) === roots) return;
    roots = JSON.stringify(current);
    manager.setUserRoots(current);
  };
  manager.events.on('event', (event: ModelEvent) => {
    if (event.type === 'download.progress') events.emit('models.download', { id: event.id, state: 'progress', ...event.progress });
    else if (event.type === 'download.state') events.emit('models.download', { id: event.id, state: event.state, ...(event.failure ? { error: event.failure } : {}) });
  });
  const readiness = async (rescan = false): Promise<ModelsReadiness> => {
    syncRoots();
    if (rescan) await manager.scan();
    const [report, settings] = await Promise.all([manager.readiness(), manager.settings()]);
    return { features: report.features.map((feature) => ({ ...feature, pieces: [...feature.pieces] })), commercialClean: report.commercialClean, nonCommercialAcknowledged: settings.nonCommercialAcknowledged, summary: report.summary };
  };
  const inventory = async (rescan: boolean): Promise<ModelsInventory> => {
    syncRoots();
    const scan = rescan ? await manager.scan() : await manager.currentScan();
    const catalog = manager.catalog().entries.map((entry) => {
      const destination = manager.destinationOf(entry);
      const presence = catalogPresence(entry, destination, existsSync(destination), scan.files);
      return {
        id: entry.id,
        title: entry.title,
        kind: entry.kind,
        base: entry.base,
        variant: entry.variant ?? null,
        sizeBytes: entry.sizeBytes,
        licence: { name: entry.licence.name, url: entry.licence.url, nonCommercial: entry.licence.nonCommercial, note: entry.licence.note ?? null },
        dependencies: [...entry.dependencies],
        recommended: entry.recommended ?? false,
        sha256Pinned: entry.sha256 !== null,
        usage: entry.usage ?? null,
        fileName: entry.fileName,
        installedAt: presence?.path ?? null,
        installedHow: presence?.how ?? null,
      };
    });
    const found = scan.files.map((file) => ({
      path: file.path,
      root: file.root,
      sizeBytes: file.sizeBytes,
      kind: file.identity?.kind ?? null,
      base: file.identity?.base ?? null,
      variant: file.identity?.variant ?? null,
      summary: file.identity?.summary ?? 'Not a model file the studio uses',
      isFullSize: file.identity?.isFullSize ?? false,
    }));
    return { catalog, found, roots: scan.roots.map((root) => ({ path: root.path, layout: root.layout, error: root.error })) };
  };
  // Probing loads each provider's library once; the answer does not change while the studio runs.
  let providers: Promise<ExecutionProviderStatus[]> | undefined;
  return {
    syncRoots,
    readiness: ({ rescan }) => readiness(rescan),
    inventory: ({ rescan }) => inventory(rescan),
    providers: async () => {
      providers ??= probeExecutionProviders();
      return { providers: (await providers).map((p) => ({ ...p })) };
    },
    gpuRuntime: async () => {
      const state = manager.gpuRuntime();
      const detail =
        state.state === 'unsupported'
          ? state.reason
          : state.state === 'installed'
            ? `installed beside onnxruntime in ${state.nativeFolder}; CUDA also needs CUDA 12 and cuDNN 9 on this machine`
            : `${state.package.nugetId} ${state.package.version} from nuget.org, checked against its published SHA-512; CUDA also needs CUDA 12 and cuDNN 9 on this machine`;
      return { id: GPU_RUNTIME_ID, title: GPU_RUNTIME_TITLE, state: state.state, detail };
    },
    installGpuRuntime: async () => {
      // Failures reach the window as a failed `models.download` event (the manager emits it); the providers are
      // probed again once it is in.
      manager.installGpuRuntime().then(
        () => (providers = undefined),
        () => undefined,
      );
      return { started: true };
    },
    download: ({ id }) => {
      manager.catalog().withDependencies(id); // an unknown id is refused now, not as a later event
      manager.download(id).catch((error: unknown) => {
        // Licence refusals and other failures before any transfer reach the window as a failed download.
        events.emit('models.download', { id, state: 'failed', error: toFailure(error, () => `download-${id}`) });
      });
      return { started: true };
    },
    stopDownload: async ({ id, keepPartial }) => {
      if (keepPartial) manager.pause(id);
      else await manager.cancel(id);
      return { stopped: true };
    },
    acknowledgeNonCommercial: async () => {
      await manager.acknowledgeNonCommercial();
      return readiness();
    },
    setCommercialClean: async ({ on }) => {
      await manager.setCommercialClean(on);
      library.settings.update({ commercialClean: on });
      return readiness();
    },
    selftest: async () => {
      const report = await runSelftest({ cacheDir: path.join(library.folder, 'cache') });
      return { passed: report.passed, complete: report.complete, steps: [...report.steps], durationMs: report.durationMs };
    },
  };
}
