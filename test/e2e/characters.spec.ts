// A person creates a character, adds two photos (file picker and drag-and-drop), removes one, reloads: it all stayed.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeJpeg } from '../helpers/images.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-e2e-'));
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Drops a file from disk onto an element the way a file manager does: a drop event carrying a File. */
async function dropFile(page: Page, target: ReturnType<Page['getByRole']>, fileName: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: 'image/jpeg' }));
      return transfer;
    },
    { name: fileName, base64: bytes.toString('base64') },
  );
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

async function expectLoadedImage(page: Page, name: string): Promise<void> {
  const image = page.getByRole('img', { name });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

test('create a character, add two photos, remove one, and find it all after a reload', async ({ page }, testInfo) => {
  const first = path.join(scratch, 'ada-front.jpg');
  writeFileSync(first, await makeJpeg({ width: 320, height: 400, seed: 1 }));
  const second = await makeJpeg({ width: 400, height: 320, seed: 2 });

  await page.goto(host.url);
  await expect(page).toHaveURL(`${host.origin}/`); // the token left the address bar
  await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();

  await page.getByRole('button', { name: 'New character' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();

  await page.getByLabel('Choose reference photos').setInputFiles(first);
  await expectLoadedImage(page, 'Reference photo ada-front.jpg');
  await dropFile(page, page.getByRole('region', { name: 'Drop photos here' }), 'ada-side.jpg', second);
  await expectLoadedImage(page, 'Reference photo ada-side.jpg');

  // The same photo again is recognised and refused, not stored twice.
  await page.getByLabel('Choose reference photos').setInputFiles(first);
  await expect(page.getByRole('alert')).toContainText('already a reference photo');
  await expect(page.getByRole('img', { name: /^Reference photo / })).toHaveCount(2);

  await page.getByRole('button', { name: 'Remove ada-front.jpg' }).click();
  await expect(page.getByRole('img', { name: 'Reference photo ada-front.jpg' })).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  await expectLoadedImage(page, 'Reference photo ada-side.jpg');
  await expect(page.getByRole('img', { name: /^Reference photo / })).toHaveCount(1);

  await page.getByRole('link', { name: 'All characters' }).click();
  await expect(page.getByRole('link', { name: 'Open Ada Lovelace' })).toContainText('1 reference photo');
  await page.screenshot({ path: testInfo.outputPath('characters.png'), fullPage: true });
  await page.getByRole('link', { name: 'Open Ada Lovelace' }).click();
  await page.screenshot({ path: testInfo.outputPath('character-page.png'), fullPage: true });
});

test('rename a character, see why a photo is refused, delete it keeping its images', async ({ page }, testInfo) => {
  const notes = path.join(scratch, 'notes.txt');
  writeFileSync(notes, 'not a photo');

  await page.goto(host.url);
  await page.getByRole('button', { name: 'New character' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Grace');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name: 'Grace' })).toBeVisible();

  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Grace Hopper');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Grace Hopper' })).toBeVisible();

  await page.getByLabel('Choose reference photos').setInputFiles(notes);
  await expect(page.getByRole('alert')).toContainText('notes.txt is not an image the studio can read.');
  await expect(page.getByRole('img', { name: /^Reference photo / })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('refused-photo.png'), fullPage: true });

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete “Grace Hopper”?' });
  await expect(dialog.getByRole('radio', { name: 'Keep them in the gallery' })).toBeChecked();
  await page.screenshot({ path: testInfo.outputPath('delete-dialog.png') });
  await dialog.getByRole('button', { name: 'Delete character' }).click();
  await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open Grace Hopper' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Open Grace Hopper' })).toHaveCount(0);
});
