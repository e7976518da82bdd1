// The Electron main process: one hardened window onto the studio, with the engine in its own process.
// Bundled by scripts/build-electron.ts to out/main/electron-main.js (package.json "main").
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } from 'electron';
import type { AppCommand } from '../../src-preload/contract/commands.ts';
import { IPC_EVENT_CHANNEL } from '../../src-preload/contract/index.ts';
import { composeStudio, libraryFolderFromEnvironment, type Studio } from '../app/compose.ts';
import { forwardStudioEvents, registerStudioIpc } from '../app/ipc.ts';
import { defaultEngineOptions } from '../app/engine-options.ts';
import { engineSettingsFrom } from '../app/engine-settings.ts';
import { readEnvironment } from '../app/environment.ts';
import type { EngineOptions, EngineSettings } from '../engine/worker/protocol.ts';
import { utilityEngineProcess } from './engine-process.ts';
import { EngineSupervisor } from './engine-supervisor.ts';
import { SupervisedEngine } from './supervised-engine.ts';
import { LIBRARY_SCHEME_PRIVILEGES, registerLibraryProtocol } from './library-protocol.ts';
import { buildMenuTemplate } from './menu.ts';
import { createQuitGuard, quitConfirmation } from './quit-guard.ts';
import { registerRendererProtocol, RENDERER_SCHEME_PRIVILEGES } from './renderer-protocol.ts';
import { endRunningJobs, runningJobs, type EngineGone } from './running-jobs.ts';
import { applySessionSecurity, CONTENT_SECURITY_POLICY, externalLinkDecision, hardenWebContents, isAppOrigin } from './security.ts';
import { createMainWindow } from './window.ts';

const PRODUCT_NAME = 'FaceID Studio';
/** out/main, where this bundle lives; the preload, the renderer and the icon sit at fixed places from it. */
const bundleFolder = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(bundleFolder, '../..');
const paths = {
  preload: path.join(appRoot, 'out/preload/preload.cjs'),
  renderer: path.join(appRoot, 'dist/renderer'),
  icon: path.join(appRoot, 'assets/icon.png'),
  /** The runtime's engine worker (src-main/engine/worker/engine-worker.ts), bundled beside this file. */
  engineWorker: path.join(bundleFolder, 'engine-worker.js'),
};

const log = (message: string, error?: unknown): void => console.error(`[${PRODUCT_NAME}] ${message}`, error ?? '');

// Every renderer sandboxed, whatever a future window's preferences say (window.ts sets it as well).
app.enableSandbox();
// Custom schemes must be declared before `ready`; they give the page one exact origin (security.ts).
protocol.registerSchemesAsPrivileged([RENDERER_SCHEME_PRIVILEGES, LIBRARY_SCHEME_PRIVILEGES]);

// Every WebContents, whatever creates it, is kept on the app.
app.on('web-contents-created', (_event, contents) => {
  hardenWebContents(contents, (url) => {
    if (externalLinkDecision(url) !== 'open-in-browser') return;
    // Only http(s) URLs without credentials get here (externalLinkDecision, tested in security.test.ts).
    shell.openExternal(url).catch((error: unknown) => log(`could not open ${url}`, error)); // eng-disable OPEN_EXTERNAL_JS_CHECK
  });
});

// One studio per user: a second start focuses the first window instead of opening the library twice.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0];
    if (window === undefined) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.whenReady().then(startStudio).catch((error: unknown) => {
    log('could not start', error);
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}

async function startStudio(): Promise<void> {
  if (!existsSync(path.join(paths.renderer, 'index.html'))) {
    throw new Error(`The user interface is not built (${paths.renderer} has no index.html). Run \`npm run build\`, then start again.`);
  }
  // The engine runs in a supervised utility process; the job runner (in compose) drives it through SupervisedEngine.
  const environment = readEnvironment();
  const engineOptions = defaultEngineOptions(environment);
  let supervised: SupervisedEngine | undefined;
  let engine: EngineSupervisor | undefined;
  const studio = composeStudio({
    libraryFolder: libraryFolderFromEnvironment(environment, app.getPath('userData')),
    proxy: environment.proxy,
    generation: {
      faceModels: environment.faceModels,
      cacheDir: engineOptions.cacheDir,
      startEngine: (settings, { tokenizerDir, faceModelsFolder }) => {
        // A restarted engine process starts with the settings as they are by then.
        let options: EngineOptions = { ...engineOptions, ...(tokenizerDir ? { tokenizerDir } : {}), ...(faceModelsFolder ? { faceModelsFolder } : {}), ...engineSettingsFrom(settings) };
        const started = new EngineSupervisor({
          spawn: () => utilityEngineProcess(utilityProcess.fork(paths.engineWorker, [`--engine-options=${JSON.stringify(options)}`], {
            serviceName: `${PRODUCT_NAME} Engine`,
            stdio: 'inherit',
          })),
          onMessage: (message) => supervised?.receive(message),
          onStatus: (status) => {
            if (status.state !== 'crashed' && status.state !== 'gave-up') return;
            log(`engine ${status.state} (exit code ${status.exitCode}, crash ${status.crashCount})`);
            // The runner records the failure of the job the engine had; the next queued job runs after the restart.
            supervised?.crashed(`The engine process stopped unexpectedly (exit code ${status.exitCode ?? 'none: killed by a signal'}) while this job ran.`);
          },
        });
        const adapter = new SupervisedEngine((request) => started.send(request));
        supervised = adapter;
        engine = started;
        started.start();
        const configure = (changed: EngineSettings): void => {
          options = { ...options, ...changed };
          adapter.configure(changed);
        };
        return { submit: (p, e) => adapter.submit(p, e), cancel: (id) => adapter.cancel(id), configure, subscribe: (l) => adapter.subscribe(l), close: async () => {
          await started.stop();
          adapter.crashed('The studio closed while this job ran.');
        } };
      },
    },
  });
  const libraryFolder = studio.library.folder;
  const refused = (url: string, reason: string): void => log(`refused ${url}: ${reason}`);
  applySessionSecurity(session.defaultSession);
  registerRendererProtocol(session.defaultSession.protocol, paths.renderer, CONTENT_SECURITY_POLICY, refused);
  registerLibraryProtocol(session.defaultSession.protocol, libraryFolder, refused);
  // The contract, one channel per method; only the app's own page may call it (a frame from anywhere else
  // cannot exist given the navigation rules, but the check costs nothing).
  registerStudioIpc(ipcMain, studio.dispatch, (event) => isAppOrigin(event.senderFrame?.url ?? ''));

  let mainWindow: BrowserWindow | undefined;
  // Menu commands go to this window only, on the contract's event channel (studio-bridge.ts forwards them).
  const sendCommand = (command: AppCommand): void => mainWindow?.webContents.send(IPC_EVENT_CHANNEL, { event: 'app.command', payload: { command } });
  const endJobs = (gone: EngineGone): void => {
    for (const job of endRunningJobs(studio.library.jobs, gone)) studio.events.emit('job.updated', { job });
  };


  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
    platform: process.platform,
    productName: PRODUCT_NAME,
    isPackaged: app.isPackaged,
    sendCommand,
    openLibraryFolder: () => void shell.openPath(libraryFolder),
  })));

  const guard = createQuitGuard({
    activeJobCount: () => runningJobs(studio.library.jobs).length,
    confirmQuit: async (count) => {
      const options = { type: 'warning' as const, ...quitConfirmation(count), defaultId: 0, cancelId: 0, noLink: true };
      const answer = mainWindow === undefined ? await dialog.showMessageBox(options) : await dialog.showMessageBox(mainWindow, options);
      return answer.response === 1;
    },
    interruptActiveJobs: async () => {
      await engine?.stop();
      endJobs({ reason: 'quit' });
    },
    quit: () => app.quit(),
    onError: (error) => log('while quitting', error),
  });
  app.on('before-quit', (event) => guard.onBeforeQuit(event));
  app.on('will-quit', () => shutDown(studio));

  mainWindow = await createMainWindow({
    preloadPath: paths.preload,
    stateFile: path.join(app.getPath('userData'), 'window-state.json'),
    title: PRODUCT_NAME,
    ...(process.platform === 'linux' ? { iconPath: paths.icon } : {}),
    onStateSaveFailed: (error) => log('could not save the window position', error),
  });
  const stopForwarding = forwardStudioEvents(studio.events, mainWindow.webContents);
  mainWindow.on('closed', () => {
    stopForwarding();
    mainWindow = undefined;
  });
  // Closing the last window quits (except on macOS): ask about running jobs while the window is still there,
  // rather than after it is gone. Once the guard lets the quit through, no job is running and this passes.
  mainWindow.on('close', (event) => {
    if (process.platform === 'darwin' || runningJobs(studio.library.jobs).length === 0) return;
    event.preventDefault();
    app.quit();
  });
}

function shutDown(studio: Studio): void {
  // Running jobs were ended by the quit guard; stop() stops the engine and closes the library.
  studio.stop().catch((error: unknown) => log('the studio did not stop cleanly', error));
}
