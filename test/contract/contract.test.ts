// The contract suite over both transports.
import { composeStudio, rendererFolder } from '../../src-main/app/compose.ts';
import { startStudioHost } from '../../src-main/app/host/studio-host.ts';
import { httpStudioClient, ipcStudioClient } from '../helpers/contract-clients.ts';
import { tempFolder } from '../helpers/temp-library.ts';
import { runContractSuite } from './contract-suite.ts';

runContractSuite({
  name: 'host',
  open: async (t) => {
    const studio = composeStudio({ libraryFolder: tempFolder(t) });
    const host = await startStudioHost({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder, rendererFolder });
    const client = httpStudioClient(host.origin, host.token);
    t.after(async () => {
      client.close();
      await host.close();
      studio.close();
    });
    return { studio, client };
  },
});

runContractSuite({
  name: 'ipc',
  open: async (t) => {
    const studio = composeStudio({ libraryFolder: tempFolder(t) });
    const client = ipcStudioClient(studio);
    t.after(() => {
      client.close();
      studio.close();
    });
    return { studio, client };
  },
});
