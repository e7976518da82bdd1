// The main window: secure preferences, restored size and position, saved again when it changes.
import { BrowserWindow, screen } from 'electron';
import { RENDERER_ENTRY_URL } from './renderer-protocol.ts';
import { secureWebPreferences } from './security.ts';
import { MINIMUM_WINDOW_SIZE, readWindowState, restoreWindowState, writeWindowState, type WindowState } from './window-state.ts';

export interface MainWindowOptions {
  preloadPath: string;
  /** JSON file in userData holding the last size and position. */
  stateFile: string;
  title: string;
  /** PNG icon for Linux (Windows and macOS take theirs from the packaged executable). */
  iconPath?: string;
  onStateSaveFailed: (error: unknown) => void;
}

/** Saving on every move event would write many times a second while dragging; wait for a pause. */
const SAVE_DELAY_MS = 500;

export async function createMainWindow(options: MainWindowOptions): Promise<BrowserWindow> {
  const state = restoreWindowState(await readWindowState(options.stateFile), screen.getAllDisplays().map((display) => display.workArea));
  const window = new BrowserWindow({
    ...(state.x === undefined || state.y === undefined ? {} : { x: state.x, y: state.y }),
    width: state.width,
    height: state.height,
    minWidth: MINIMUM_WINDOW_SIZE.width,
    minHeight: MINIMUM_WINDOW_SIZE.height,
    title: options.title,
    backgroundColor: '#121212', // the dark theme's background, so no white flash before the first paint
    show: false,
    ...(options.iconPath === undefined ? {} : { icon: options.iconPath }),
    webPreferences: {
      ...secureWebPreferences(options.preloadPath),
      // The decisive four again, at the place the window is made, so neither a reader nor electronegativity
      // has to follow the call; security.test.ts checks the full set.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (state.isMaximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const currentState = (): WindowState => ({ ...window.getNormalBounds(), isMaximized: window.isMaximized() });
  const save = (): void => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    try {
      writeWindowState(options.stateFile, currentState());
    } catch (error) {
      options.onStateSaveFailed(error);
    }
  };
  const saveSoon = (): void => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DELAY_MS);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', save);

  await window.loadURL(RENDERER_ENTRY_URL);
  return window;
}
