// Runs the studio host as a program (`npm run host`, and `npm start` without Electron): parses --port/--host, prints
// the URL with its token, stops cleanly on Ctrl+C or SIGTERM.
import { parseArgs } from 'node:util';
import { StudioError } from '../../base/errors.ts';
import { composeStudio, libraryFolderFromEnvironment, rendererFolder } from '../compose.ts';
import { readEnvironment } from '../environment.ts';
import { workerThreadGeneration } from '../host-generation.ts';
import { A1111Api } from './a1111/a1111-api.ts';
import { startStudioHost } from './studio-host.ts';

const USAGE = `Usage: npm run host -- [--port N] [--host ADDRESS]

  --port N        listen on port N (default: a free port)
  --host ADDRESS  listen on ADDRESS instead of 127.0.0.1 (anyone who can reach it and has the token gets in)

The library lives in FACEID_STUDIO_HOME, or in the same folder the desktop app uses.`;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StudioError('invalid-request', { userMessage: `--port must be a whole number from 0 to 65535 (got ${text}).` });
  }
  return port;
}

async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const environment = readEnvironment();
  const studio = composeStudio({ libraryFolder: libraryFolderFromEnvironment(environment), generation: workerThreadGeneration(environment), proxy: environment.proxy });
  const a1111 = new A1111Api({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder });
  const host = await startStudioHost({
    dispatch: studio.dispatch,
    events: studio.events,
    libraryFolder: studio.library.folder,
    rendererFolder,
    host: values.host,
    port: parsePort(values.port),
    a1111,
  }).catch(async (error: unknown) => {
    a1111.dispose();
    await studio.stop();
    throw error;
  });
  console.log(`FaceID Studio library: ${studio.library.folder}`);
  if (studio.library.interruptedAtStart > 0) console.log(`${studio.library.interruptedAtStart} job(s) left running by the last session are marked interrupted.`);
  console.log(`FaceID Studio is running at ${host.url}`);
  console.log('Open that URL in a browser (it carries this start\'s access token). Press Ctrl+C to stop.');
  console.log(`A1111-compatible API: ${host.origin}/sdapi/v1 (HTTP Basic with any user name and the token as password, or Bearer).`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void host
      .close()
      .then(() => a1111.dispose())
      .then(() => studio.stop())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Starts the host with command-line arguments; on a failure prints what went wrong and exits with status 1. */
export async function runHost(args: string[]): Promise<void> {
  try {
    await run(args);
  } catch (error) {
    if (error instanceof StudioError) {
      console.error(`${error.userMessage}${error.hint === undefined ? '' : `\n${error.hint}`}`);
    } else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${error.message}\n\n${USAGE}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  }
}
