// The Electron preload: exposes exactly the studio contract as `window.studio`, nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { buildStudioBridge } from './studio-bridge.ts';

contextBridge.exposeInMainWorld('studio', buildStudioBridge(ipcRenderer));
