// Acceptance 1, the whole journey on the tiny fixture models run by the host's engine: create a character, add
// reference photos (one without a face gets its verdict), queue two FaceID images at 64×64 with a style preset, watch
// progress and previews, find them in the gallery with identity scores, favourite one, remix it, paint a mask and
// inpaint, export a PNG and read its parameters back.
import { expect, test } from '@playwright/test';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { fixture } from '../helpers/fixtures.ts';
import { httpStudioClient } from '../helpers/contract-clients.ts';
import { facePhotoPng } from '../helpers/face-fixtures.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-journey-'));
  const models = path.join(scratch, 'library', 'models');
  mkdirSync(models, { recursive: true });
  // The diffusers folder (the single-file fixture lacks the text encoder's heads the compiler needs), the FaceID
  // Plus v2 adapter with its image encoder, and the face models, where the model manager lays them out.
  cpSync(fixture('sd15-tiny'), path.join(models, 'checkpoints', 'sd15-tiny'), { recursive: true });
  mkdirSync(path.join(models, 'ipadapter'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'), path.join(models, 'ipadapter', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'));
  cpSync(fixture('ipadapter-tiny', 'image_encoder'), path.join(models, 'image_encoder'), { recursive: true });
  cpSync(fixture('tokenizer'), path.join(models, 'tokenizer'), { recursive: true });
  cpSync(fixture('face', 'models'), path.join(models, 'insightface'), { recursive: true });
  // A preview at every step (the default of every 5 steps shows none in a 4-step job); the running engine takes the
  // changed setting before its next job, no restart needed.
  host = await spawnHost(path.join(scratch, 'library'));
  const client = httpStudioClient(host.origin, host.token);
  const updated = await client.settings.update({ previewEverySteps: 1 });
  client.close();
  if (!updated.ok) throw new Error(`settings.update failed: ${JSON.stringify(updated)}`);
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('journey: character → two styled FaceID images → gallery → favourite → remix → inpaint → export', async ({ page }, testInfo) => {
  test.setTimeout(240_000);

  await test.step('create a character and add reference photos', async () => {
    await page.goto(host.url);
    await page.getByRole('button', { name: 'New character' }).click();
    await page.getByLabel('Name').fill('Ada');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { name: 'Ada' })).toBeVisible();
    // A plain grey wall: the tiny stand-in detector sees "faces" in noise, but none in a flat picture.
    const noFace = path.join(scratch, 'grey-wall.png');
    writeFileSync(noFace, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8a8a8a' } }).png().toBuffer());
    const withFace = path.join(scratch, 'ada.png');
    writeFileSync(withFace, await facePhotoPng());
    await page.getByLabel('Choose reference photos').setInputFiles([withFace, noFace]);
    await expect(page.getByRole('img', { name: 'Reference photo grey-wall.png' })).toBeVisible();
    await expect(page.getByRole('img', { name: 'Reference photo ada.png' })).toBeVisible();
    // Each photo's face check: the wall gets its "no face" verdict, the portrait its face.
    await expect(page.getByLabel('Face check for grey-wall.png')).toHaveText(/No face found/, { timeout: 30_000 });
    await expect(page.getByLabel('Face check for ada.png')).toHaveText(/\d+ faces? found/, { timeout: 30_000 });
  });

  await test.step('queue two FaceID images at 64×64 with the Watercolor preset', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByRole('combobox', { name: 'Character' }).click();
    await page.getByRole('option', { name: 'Ada' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('Ada reading by a window');
    await page.getByRole('combobox', { name: 'Style preset' }).click();
    await page.getByRole('option', { name: 'Watercolor' }).click();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'sd15-tiny' }).click();
    await expect(page.getByRole('button', { name: 'FaceID Plus v2' })).toBeEnabled();
    await page.getByRole('button', { name: 'FaceID Plus v2' }).click();
    await page.getByRole('combobox', { name: 'Size' }).click();
    await page.getByRole('option', { name: /Tiny test/ }).click();
    await page.getByLabel('Steps value').fill('4');
    await page.getByLabel('Batch count value').fill('2');
    await page.getByRole('combobox', { name: 'Seed mode' }).click();
    await page.getByRole('option', { name: 'Increment' }).click();
    await page.getByLabel('Seed', { exact: true }).fill('100');
    await page.evaluate(() => {
      // Records each live-preview picture once it has loaded with real pixels (previews come and go within a step).
      const shown: string[] = [];
      (window as unknown as { journeyPreviews: string[] }).journeyPreviews = shown;
      const watch = (img: HTMLImageElement): void => {
        const record = (): void => void (img.naturalWidth > 0 && !shown.includes(img.src) && shown.push(img.src));
        if (img.complete) record();
        img.addEventListener('load', record);
      };
      new MutationObserver(() => document.querySelectorAll<HTMLImageElement>('img[alt="Live preview"]').forEach(watch)).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
    });
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(page.getByText('2 jobs queued')).toBeVisible();
    await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('102');
  });

  await test.step('watch progress and previews in the queue', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click();
    const queued = page.getByRole('list', { name: 'Queued jobs' });
    const running = page.getByLabel(/^Running job: /);
    // Both jobs are recorded with the preset's template around the prompt, at 64×64, with FaceID.
    await expect(page.getByText(/watercolor painting of Ada reading by a window/).first()).toBeVisible();
    await expect(page.getByText(/64×64 · 4 steps .* seed 10[01] · face 0\.65/).first()).toBeVisible();
    // The engine takes the first job within seconds; its first step waits for the tiny graphs to compile.
    await expect(running.first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel('Job progress').first()).toBeVisible();
    await expect(page.getByLabel('Progress details').first()).toContainText('it/s', { timeout: 90_000 });
    await page.screenshot({ path: testInfo.outputPath('journey-running.png') });
    // Both done, not just "nothing running", which also holds for a moment between the two jobs.
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(2, { timeout: 120_000 });
    await expect(page.getByText('Nothing is running.')).toBeVisible();
    // A tiny step takes a fraction of a second, so each preview is on screen only briefly: the page itself records
    // every live-preview picture that loaded (see the observer installed before queueing).
    const previewsShown = await page.evaluate(() => (window as unknown as { journeyPreviews: string[] }).journeyPreviews);
    expect(previewsShown.length, 'live previews shown while the jobs ran').toBeGreaterThanOrEqual(1);
    expect(previewsShown.every((src) => /previews/.test(src))).toBe(true);
    await expect(queued).toContainText('No jobs waiting.');
  });

  await test.step('see them in the gallery with identity scores; favourite one', async () => {
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('2 images');
    // Each tile names its identity score. The tiny model's random weights paint no face the detector finds at 64×64,
    // so the score is recorded as null ("no face found") rather than a number; a real model gives a number here.
    for (const tile of await page.locator('[data-tile] button').all()) await expect(tile).toHaveAttribute('aria-label', /identity (-?\d\.\d{3}|no face found)/);
    await page.getByRole('grid', { name: 'Images' }).focus();
    await page.keyboard.press('f');
    await expect(page.locator('[data-tile][aria-selected="true"] button')).toHaveAttribute('aria-label', /favourite$/);
  });

  await test.step('remix it, then paint a mask and inpaint', async () => {
    await page.locator('[data-tile] button').first().click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    await dialog.getByRole('button', { name: 'Remix' }).click();
    await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(/watercolor painting of Ada reading by a window/);
    // A remix is one picture again: the batch of two queued above must not carry over.
    await expect(page.getByLabel('Batch count value')).toHaveValue('1');
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await page.locator('[data-tile] button').first().click();
    await page.getByRole('dialog', { name: 'Image details' }).getByRole('button', { name: 'Inpaint' }).click();
    // Paint only once the picture has loaded: until then the mask canvas has no size and strokes land nowhere.
    await expect(page.getByRole('img', { name: 'Image to inpaint' })).toHaveJSProperty('naturalWidth', 64);
    await expect(page.getByRole('button', { name: 'Use mask' })).toBeEnabled();
    const canvas = page.getByLabel('Mask', { exact: true });
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 6 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Use mask' }).click();
    await expect(page.getByText('Inpaint: repaints the masked area of this picture.')).toBeVisible();
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByText(/\d+ jobs? queued/)).toHaveText('1 job queued');
    // Counted once every job has finished (3 done: the two above and this one), so the gallery shows the settled
    // count rather than a moment between two jobs' images.
    await page.getByRole('tab', { name: 'Queue' }).click();
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(3, { timeout: 120_000 });
    await expect(page.getByText('Nothing is running.')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Queued jobs' })).toContainText('No jobs waiting.');
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('3 images');
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
