// The Electron main process: one window onto the studio, hardened, with the engine in its own process.
// Bundled by scripts/build-electron.ts to out/main/electron-main.js (package.json "main").
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, protocol, session, shell, utilityProcess } from 'electron';
import { utilityEngineProcess } from './engine-process.ts';
import { EngineSupervisor, type EngineStatus } from './engine-supervisor.ts';
import { LIBRARY_SCHEME_PRIVILEGES, registerLibraryProtocol } from './library-protocol.ts';
import { buildMenuTemplate, type AppCommand } from './menu.ts';
import { createQuitGuard, quitConfirmation } from './quit-guard.ts';
import { registerRendererProtocol, RENDERER_SCHEME_PRIVILEGES } from './renderer-protocol.ts';
import { applySessionSecurity, CONTENT_SECURITY_POLICY, externalLinkDecision, hardenWebContents } from './security.ts';
import { createMainWindow } from './window.ts';

const PRODUCT_NAME = 'FaceID Studio';
/** out/main, where this bundle lives; the preload, the renderer and the assets sit at fixed places from it. */
const bundleFolder = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(bundleFolder, '../..');
const paths = {
  preload: path.join(appRoot, 'out/preload/preload.cjs'),
  renderer: path.join(appRoot, 'dist/renderer'),
  icon: path.join(appRoot, 'assets/icon.png'),
  engineWorker: path.join(bundleFolder, 'engine-worker.js'),
};

const log = (message: string, error?: unknown): void => console.error(`[${PRODUCT_NAME}] ${message}`, error ?? '');

// Custom schemes must be declared before `ready`; they give the page a real, exact origin (security.ts).
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
  const libraryFolder = app.getPath('userData');
  applySessionSecurity(session.defaultSession);
  registerRendererProtocol(session.defaultSession.protocol, paths.renderer, CONTENT_SECURITY_POLICY, (url, reason) => log(`refused ${url}: ${reason}`));
  registerLibraryProtocol(session.defaultSession.protocol, libraryFolder, (url, reason) => log(`refused ${url}: ${reason}`));

  let mainWindow: BrowserWindow | undefined;
  const sendCommand = (command: AppCommand): void => mainWindow?.webContents.send('studio:command', command);

  const engine = new EngineSupervisor({
    spawn: () => utilityEngineProcess(utilityProcess.fork(paths.engineWorker, [], { serviceName: `${PRODUCT_NAME} Engine`, stdio: 'inherit' })),
    onMessage: () => {},
    onStatus: (status: EngineStatus) => {
      if (status.state === 'crashed' || status.state === 'gave-up') log(`engine ${status.state} (exit code ${status.exitCode})`);
    },
  });
  if (existsSync(paths.engineWorker)) engine.start();
  else log(`no engine worker at ${paths.engineWorker}; generation is unavailable in this build`);

  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
    platform: process.platform,
    productName: PRODUCT_NAME,
    isPackaged: app.isPackaged,
    sendCommand,
    openLibraryFolder: () => void shell.openPath(libraryFolder),
  })));

  const guard = createQuitGuard({
    activeJobCount: () => 0,
    confirmQuit: async (count) => {
      const wording = quitConfirmation(count);
      const options = { type: 'warning' as const, ...wording, defaultId: 0, cancelId: 0, noLink: true };
      const answer = mainWindow === undefined ? await dialog.showMessageBox(options) : await dialog.showMessageBox(mainWindow, options);
      return answer.response === 1;
    },
    interruptActiveJobs: () => engine.stop(),
    quit: () => app.quit(),
    onError: (error) => log('while quitting', error),
  });
  app.on('before-quit', (event) => guard.onBeforeQuit(event));
  app.on('will-quit', () => void engine.stop());

  mainWindow = await createMainWindow({
    preloadPath: paths.preload,
    stateFile: path.join(app.getPath('userData'), 'window-state.json'),
    title: PRODUCT_NAME,
    ...(process.platform === 'linux' ? { iconPath: paths.icon } : {}),
    onStateSaveFailed: (error) => log('could not save the window position', error),
  });
  mainWindow.on('closed', () => (mainWindow = undefined));
}
