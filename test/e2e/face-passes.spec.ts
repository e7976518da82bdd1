// The identity passes in the studio, on the tiny models: one FaceID job with hires fix (×1.5), the face detail pass
// and best-of-2-keep-1, then "Fix face" on the kept picture. The gallery shows the picture at the hires size with its
// rank, the details name the hires settings, and the fixed picture lands with the first as its parent.
import { expect, test } from '@playwright/test';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCharacterWithPhoto } from '../helpers/e2e-character.ts';
import { fixture } from '../helpers/fixtures.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-face-passes-'));
  const models = path.join(scratch, 'library', 'models');
  cpSync(fixture('sd15-tiny'), path.join(models, 'checkpoints', 'sd15-tiny'), { recursive: true });
  mkdirSync(path.join(models, 'ipadapter'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), path.join(models, 'ipadapter', 'ip-adapter-faceid_sd15_tiny.bin'));
  cpSync(fixture('face', 'models'), path.join(models, 'insightface'), { recursive: true });
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('hires fix + face detail + best of 2 → one ranked picture at the hires size; Fix face makes its child', async ({ page }, testInfo) => {
  test.setTimeout(240_000);

  await test.step('a character with a reference photo', () => createCharacterWithPhoto(page, host.url, scratch, 'Ines'));

  await test.step('FaceID at 64×64, 2 steps, with hires fix ×1.5, face detail and best of 2 keep 1', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByRole('combobox', { name: 'Character' }).click();
    await page.getByRole('option', { name: 'Ines' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('Ines in a garden');
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'sd15-tiny' }).click();
    await page.getByRole('button', { name: 'FaceID', exact: true }).click();
    await page.getByLabel('Width', { exact: true }).fill('64');
    await page.getByLabel('Height', { exact: true }).fill('64');
    await page.getByLabel('Steps value').fill('2');

    await expect(page.getByLabel('Hires fix state')).toHaveText('off');
    await page.getByRole('button', { name: /Hires fix/ }).click();
    await page.getByLabel('Upscale and repaint (second pass)').check();
    await page.getByLabel('Upscale by value').fill('1.5');
    await page.getByLabel('Hires steps value').fill('1');
    await expect(page.getByLabel('Hires fix state')).toHaveText('on: 96×96');

    await page.getByRole('button', { name: /Face detail/ }).click();
    await page.getByLabel("Repaint faces with the character's identity").check();
    await expect(page.getByLabel('Face detail state')).toHaveText(/^on: largest face/);

    await page.getByLabel('Best of N by likeness').check();
    await page.getByLabel('Make (N) value').fill('2');
    await page.getByLabel('Keep (K) value').fill('1');
    await page.screenshot({ path: testInfo.outputPath('face-passes-generate.png'), fullPage: true });
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(page.getByText('1 job queued')).toBeVisible();
  });

  await test.step('it runs its passes to done; the gallery holds the one kept picture, ranked, at 96×96', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click();
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(1, { timeout: 180_000 });
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('1 image');
    const tile = page.locator('[data-tile] button').first();
    await expect(tile).toHaveAttribute('aria-label', /best of N 1 of 2, kept/);
    await tile.click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    const row = (name: string) => dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row('Size')).toContainText('96×96');
    await expect(row('Hires fix')).toContainText('×1.5');
    await page.screenshot({ path: testInfo.outputPath('face-passes-details.png') });
  });

  await test.step('Fix face on it queues a pass whose result has the picture as its parent', async () => {
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    await dialog.getByRole('button', { name: 'Fix face' }).click();
    await expect(dialog.getByText(/Fix face queued/)).toBeVisible();
    await dialog.getByRole('button', { name: 'Close details' }).click();
    await page.getByRole('tab', { name: 'Queue' }).click();
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(2, { timeout: 120_000 });
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('2 images');
  });
});
