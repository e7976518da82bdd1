import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { APP_COMMANDS, type AppCommand } from '../../src-preload/contract/commands.ts';
import { buildMenuTemplate } from './menu.ts';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function build(platform: NodeJS.Platform, isPackaged: boolean) {
  const sent: AppCommand[] = [];
  const items = flatten(buildMenuTemplate({ platform, productName: 'FaceID Studio', isPackaged, sendCommand: (c) => sent.push(c), openLibraryFolder: () => {} }));
  return { items, sent };
}

for (const platform of ['linux', 'win32', 'darwin'] as const) {
  test(`${platform}: every app command has one menu item, and clicking it sends that command`, () => {
    const { items, sent } = build(platform, true);
    for (const item of items) item.click?.(undefined as never, undefined, undefined as never);
    assert.deepEqual([...sent].sort(), [...APP_COMMANDS].sort());
  });

  test(`${platform}: no accelerator is bound twice, and the documented shortcuts are there`, () => {
    const accelerators = build(platform, false).items.flatMap((item) => (item.accelerator === undefined ? [] : [String(item.accelerator)]));
    assert.equal(new Set(accelerators).size, accelerators.length, accelerators.join(', '));
    for (const shortcut of ['CmdOrCtrl+Enter', 'CmdOrCtrl+N', 'CmdOrCtrl+,', 'CmdOrCtrl+1', 'Escape']) assert.ok(accelerators.includes(shortcut), shortcut);
  });
}

test('packaged builds have no developer tools or reload; development builds do', () => {
  const roles = (isPackaged: boolean) => build('linux', isPackaged).items.map((item) => item.role);
  assert.ok(!roles(true).includes('toggleDevTools') && !roles(true).includes('reload'));
  assert.ok(roles(false).includes('toggleDevTools'));
});

test('Escape is shown but left to the page, so dialogs still close with it', () => {
  const cancel = build('linux', true).items.find((item) => item.accelerator === 'Escape');
  assert.equal(cancel?.registerAccelerator, false);
});
