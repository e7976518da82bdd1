// The native menu: the studio's shortcuts in the places desktop users look for them. The template is plain
// data built from the platform, so tests check it without Electron; main.ts hands it to Menu.buildFromTemplate.
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../src-preload/contract/commands.ts';

export interface MenuOptions {
  platform: NodeJS.Platform;
  productName: string;
  /** Packaged builds have no developer tools or reload entries. */
  isPackaged: boolean;
  sendCommand: (command: AppCommand) => void;
  openLibraryFolder: () => void;
}

const VIEWS: ReadonlyArray<[AppCommand, string]> = [
  ['navigate.characters', 'Characters'],
  ['navigate.generate', 'Generate'],
  ['navigate.queue', 'Queue'],
  ['navigate.gallery', 'Gallery'],
  ['navigate.models', 'Models'],
];

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const command = (label: string, name: AppCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    click: () => options.sendCommand(name),
    ...(accelerator === undefined ? {} : { accelerator }),
  });
  const settings = command(isMac ? 'Settings…' : 'Settings', 'navigate.settings', 'CmdOrCtrl+,');

  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [{
        label: options.productName,
        submenu: [{ role: 'about' }, { type: 'separator' }, settings, { type: 'separator' }, { role: 'services' },
          { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
      }]
    : [];
  const fileMenu: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      command('New Character', 'character.new', 'CmdOrCtrl+N'),
      { label: 'Open Library Folder', click: options.openLibraryFolder },
      ...(isMac ? [] : [{ type: 'separator' } as const, settings, { type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const generateMenu: MenuItemConstructorOptions = {
    label: '&Generate',
    submenu: [
      command('Generate', 'generate.start', 'CmdOrCtrl+Enter'),
      // Esc is shown but left to the page (registerAccelerator false): dialogs and the mask editor need it first.
      { ...command('Cancel Job', 'job.cancel', 'Escape'), registerAccelerator: false },
    ],
  };
  const viewMenu: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...VIEWS.map(([name, label], index) => command(label, name, `CmdOrCtrl+${index + 1}`)),
      { type: 'separator' },
      { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
      ...(options.isPackaged ? [] : [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  return [
    ...appMenu,
    fileMenu,
    { role: 'editMenu' },
    generateMenu,
    viewMenu,
    { role: 'windowMenu' },
    { role: 'help', submenu: isMac ? [] : [{ role: 'about' }] },
  ];
}
