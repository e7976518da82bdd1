// Acceptance 1, the whole journey, as far as the merged engine allows: create a character, add reference photos,
// queue two FaceID images at 64×64 with a style preset, watch progress and previews, find them in the gallery with
// identity scores, favourite one, remix it, paint a mask and inpaint, export a PNG and read its parameters back.
// Steps that need parts not yet merged are listed in the test's annotations (type "pending") instead of faked.
import { expect, test } from '@playwright/test';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../helpers/fixtures.ts';
import { makeJpeg } from '../helpers/images.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-journey-'));
  const models = path.join(scratch, 'library', 'models');
  mkdirSync(models, { recursive: true });
  copyFileSync(fixture('sd15-tiny.safetensors'), path.join(models, 'sd15-tiny.safetensors'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'), path.join(models, 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'));
  cpSync(fixture('tokenizer'), path.join(models, 'tokenizer'), { recursive: true });
  cpSync(fixture('face', 'models'), path.join(models, 'insightface'), { recursive: true });
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('journey: character → two styled FaceID images → gallery → favourite → remix → inpaint → export', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const pending = (step: string, waitsOn: string) => testInfo.annotations.push({ type: 'pending', description: `${step} — waits on ${waitsOn}` });

  await test.step('create a character and add reference photos', async () => {
    await page.goto(host.url);
    await page.getByRole('button', { name: 'New character' }).click();
    await page.getByLabel('Name').fill('Ada');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'Ada' })).toBeVisible();
    const noFace = path.join(scratch, 'landscape-no-face.jpg');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(noFace, await makeJpeg({ width: 320, height: 240, seed: 9 }));
    await page.getByLabel('Choose reference photos').setInputFiles(noFace);
    await expect(page.getByRole('img', { name: 'Reference photo landscape-no-face.jpg' })).toBeVisible();
    pending('the photo without a face shows its QA verdict ("no face found")', 'face analysis of reference photos exposed in the characters contract (face + foundation)');
  });

  await test.step('queue two FaceID images at 64×64 with the Watercolor preset', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByRole('combobox', { name: 'Character' }).click();
    await page.getByRole('option', { name: 'Ada' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('Ada reading by a window');
    await page.getByRole('combobox', { name: 'Style preset' }).click();
    await page.getByRole('option', { name: 'Watercolor' }).click();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'sd15-tiny.safetensors' }).click();
    await expect(page.getByRole('button', { name: 'FaceID Plus v2' })).toBeEnabled();
    await page.getByRole('button', { name: 'FaceID Plus v2' }).click();
    await page.getByRole('combobox', { name: 'Size' }).click();
    await page.getByRole('option', { name: /Tiny test/ }).click();
    await page.getByLabel('Steps value').fill('4');
    await page.getByLabel('Batch count value').fill('2');
    await page.getByRole('combobox', { name: 'Seed mode' }).click();
    await page.getByRole('option', { name: 'Increment' }).click();
    await page.getByLabel('Seed', { exact: true }).fill('100');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(page.getByText('2 jobs queued')).toBeVisible();
    await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('102');
  });

  const engineRuns = await test.step('watch progress and previews in the queue', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click();
    const queued = page.getByRole('list', { name: 'Queued jobs' });
    const running = page.getByLabel(/^Running job: /);
    // Both jobs are recorded with the preset's template around the prompt, at 64×64, with FaceID.
    await expect(page.getByText(/watercolor painting of Ada reading by a window/).first()).toBeVisible();
    await expect(page.getByText(/64×64 · 4 steps .* seed 10[01] · face 0\.65/).first()).toBeVisible();
    // The engine takes the first job within a few seconds if one is attached to the studio.
    const started = await running
      .first()
      .waitFor({ timeout: 15_000 })
      .then(() => true)
      .catch(() => false);
    if (!started) {
      await expect(queued.getByRole('listitem')).toHaveCount(2);
      // Reorder: the second job moves first, and the order holds after a reload (it lives in the library).
      await page.getByRole('button', { name: 'Move job 2 up' }).click();
      await expect(queued.getByRole('listitem').first()).toContainText('seed 101');
      await page.reload();
      await expect(queued.getByRole('listitem').first()).toContainText('seed 101');
      await page.screenshot({ path: testInfo.outputPath('journey-queue.png') });
      pending('progress bar, live preview, it/s and ETA while the two jobs run', 'the engine worker taking queued jobs from the library in the studio host (runtime)');
      return false;
    }
    await expect(page.getByLabel('Job progress').first()).toBeVisible();
    await expect(page.getByRole('img', { name: 'Live preview' })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByLabel('Progress details').first()).toContainText('it/s');
    await page.screenshot({ path: testInfo.outputPath('journey-running.png') });
    await expect(page.getByText('Nothing is running.')).toBeVisible({ timeout: 120_000 });
    return true;
  });

  if (!engineRuns) {
    pending('both images in the gallery with identity scores', 'the engine (runtime) and the identity score of results (face)');
    pending('favourite one, remix it, paint a mask and inpaint, export a PNG and read its parameters back', 'generated images in the library (runtime); the same UI steps run on library rows in studio-pages.spec.ts and gallery.spec.ts');
    return;
  }

  await test.step('see them in the gallery with identity scores; favourite one', async () => {
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('2 images');
    await expect(page.locator('[data-tile] button').first()).toHaveAttribute('aria-label', /identity -?\d\.\d{3}/);
    await page.getByRole('grid', { name: 'Images' }).focus();
    await page.keyboard.press('f');
    await expect(page.locator('[data-tile][aria-selected="true"] button')).toHaveAttribute('aria-label', /favourite$/);
  });

  await test.step('remix it, then paint a mask and inpaint', async () => {
    await page.locator('[data-tile] button').first().click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    await dialog.getByRole('button', { name: 'Remix' }).click();
    await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(/watercolor painting of Ada reading by a window/);
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await page.locator('[data-tile] button').first().click();
    await page.getByRole('dialog', { name: 'Image details' }).getByRole('button', { name: 'Inpaint' }).click();
    const canvas = page.getByLabel('Mask', { exact: true });
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 6 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Use mask' }).click();
    await expect(page.getByText('Inpaint: repaints the masked area of this picture.')).toBeVisible();
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('3 images', { timeout: 120_000 });
  });

  await test.step('export a PNG and read its parameters back', async () => {
    await page.locator('[data-tile] button').first().click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export PNG' }).click()]);
    const { readFile } = await import('node:fs/promises');
    const { readPngTexts } = await import('../../src-preload/contract/png-text.ts');
    const parameters = readPngTexts(new Uint8Array(await readFile(await download.path()))).parameters ?? '';
    expect(parameters).toContain('watercolor painting of Ada reading by a window');
    expect(parameters).toMatch(/Size: 64x64/);
  });
});
