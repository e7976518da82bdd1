// Wiring: the contract's model-manager methods served by ModelManager: readiness over the studio's models folder and
// the user's model roots (Settings), downloads in the background with `models.download` events, the research-licence
// acknowledgement, commercial-clean mode (kept in the settings too) and the offline self-test.
import path from 'node:path';
import type { ModelsReadiness } from '../../../src-preload/contract/models.ts';
import { toFailure } from '../../base/errors.ts';
import { ModelManager, type ModelEvent } from '../../models/model-manager.ts';
import { runSelftest } from '../../models/selftest/run-selftest.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

type ManagerMethods = 'readiness' | 'download' | 'stopDownload' | 'acknowledgeNonCommercial' | 'setCommercialClean' | 'selftest';

/** The studio's model manager: downloads into `<library>/models`, state beside the library. */
export function studioModelManager(libraryFolder: string): ModelManager {
  return new ModelManager({ modelsDir: path.join(libraryFolder, 'models'), stateDir: libraryFolder });
}

export function modelManagerHandlers({ library, events, models }: StudioServices): Pick<NamespaceHandlers<'models'>, ManagerMethods> {
  const manager = models ?? studioModelManager(library.folder);
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
  return {
    readiness: ({ rescan }) => readiness(rescan),
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
