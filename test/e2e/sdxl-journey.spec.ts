// The studio journey on SDXL: the tiny SDXL diffusers folder and the tiny SDXL FaceID adapter in the models folder,
// one character, one SDXL FaceID image at a typed 64×64 with a changed crop, found in the gallery with the SDXL model
// and the size conditioning in its details. Kept to one 2-step job so it stays short.
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
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-sdxl-journey-'));
  const models = path.join(scratch, 'library', 'models');
  // The SDXL diffusers folder, the FaceID SDXL adapter (its .bin carries the LoRA) and the face models, where the
  // model manager lays them out; an SD1.5 adapter too, which the SDXL checkpoint must not be offered.
  cpSync(fixture('sdxl', 'sdxl-tiny'), path.join(models, 'checkpoints', 'sdxl-tiny'), { recursive: true });
  mkdirSync(path.join(models, 'ipadapter'));
  copyFileSync(fixture('sdxl', 'ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin'), path.join(models, 'ipadapter', 'ip-adapter-faceid_sdxl_tiny.bin'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'), path.join(models, 'ipadapter', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'));
  cpSync(fixture('face', 'models'), path.join(models, 'insightface'), { recursive: true });
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('SDXL journey: character → one SDXL FaceID image → gallery details name the SDXL model', async ({ page }, testInfo) => {
  test.setTimeout(180_000);

  await test.step('create a character with a reference photo', () => createCharacterWithPhoto(page, host.url, scratch, 'Grace'));

  await test.step('choose the SDXL checkpoint: its base is shown, SDXL sizes and adapters are offered', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByRole('combobox', { name: 'Character' }).click();
    await page.getByRole('option', { name: 'Grace' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('Grace on a mountain path');
    await page.getByRole('combobox', { name: 'Model' }).click();
    const sdxl = page.getByRole('option', { name: /sdxl-tiny/ });
    await expect(sdxl).toContainText('SDXL');
    await sdxl.click();
    // SDXL's trained size by default, and only the SDXL adapter: the SD1.5 Plus v2 file is not offered.
    await expect(page.getByRole('combobox', { name: 'Size' })).toHaveText(/1024×1024/);
    await expect(page.getByRole('button', { name: 'FaceID', exact: true })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'FaceID Plus v2' })).toBeDisabled();
    await page.getByRole('button', { name: 'FaceID', exact: true }).click();
    await expect(page.getByRole('button', { name: 'FaceID', exact: true })).toHaveAttribute('aria-pressed', 'true');
  });

  await test.step('a typed 64×64, a changed crop, 2 steps; queue it', async () => {
    await page.getByLabel('Width', { exact: true }).fill('64');
    await page.getByLabel('Height', { exact: true }).fill('64');
    await page.getByLabel('Steps value').fill('2');
    await expect(page.getByRole('combobox', { name: 'Size' })).toHaveText('Custom');
    // Collapsed until opened; its fields then show what is sent by default: the image size, no crop.
    await expect(page.getByLabel('Crop top')).toHaveCount(0);
    await page.getByRole('button', { name: /SDXL size conditioning/ }).click();
    await expect(page.getByLabel('Original width')).toHaveValue('64');
    await page.getByLabel('Crop top').fill('8');
    await expect(page.getByLabel('Size conditioning state')).toHaveText('changed');
    await page.getByLabel('Crop left').scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('sdxl-generate.png') });
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(page.getByText('1 job queued')).toBeVisible();
  });

  await test.step('it runs to done and lands in the gallery with the SDXL model in its details', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click();
    // The first step waits for the tiny SDXL graphs to compile.
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(1, { timeout: 150_000 });
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('1 image');
    await page.locator('[data-tile] button').first().click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    const row = (name: string) => dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row('Model')).toContainText('sdxl-tiny');
    await expect(row('FaceID adapter')).toContainText('ip-adapter-faceid_sdxl_tiny.bin');
    await expect(row('Size')).toContainText('64×64');
    await expect(row('SDXL size conditioning')).toContainText('original 64×64 · crop 8, 0 · target 64×64');
    await row('SDXL size conditioning').scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('sdxl-gallery-details.png') });
  });
});
