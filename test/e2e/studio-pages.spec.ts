// Every page at 1280×800 as a screenshot for review (test-results/e2e/…), the Generate form surviving a reload,
// style presets saved in the library, a PNG's parameters dropped onto Generate, the shortcut sheet, the light theme,
// and the smallest supported window (1024×700) without horizontal scrolling.
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatA1111Parameters } from '../../src-preload/contract/a1111-parameters.ts';
import { addPngText } from '../../src-preload/contract/png-text.ts';
import { fixture } from '../helpers/fixtures.ts';
import { makePng } from '../helpers/images.ts';
import { seedGallery } from '../helpers/seed-gallery.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-pages-'));
  const library = path.join(scratch, 'library');
  await seedGallery(library, 300);
  // The tiny fixture model set in the studio's own models folder: a checkpoint, two FaceID adapters, a tokenizer.
  const models = path.join(library, 'models');
  mkdirSync(models, { recursive: true });
  copyFileSync(fixture('sd15-tiny.safetensors'), path.join(models, 'sd15-tiny.safetensors'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'), path.join(models, 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.safetensors'), path.join(models, 'ip-adapter-faceid_sd15_tiny.safetensors'));
  cpSync(fixture('tokenizer'), path.join(models, 'tokenizer'), { recursive: true });
  // A LoRA under the catalog's LCM-LoRA file name (the tiny LoRA's weights: the offer goes by the catalog's name).
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), path.join(models, 'lcm-lora-sdv1-5.safetensors'));
  host = await spawnHost(library);
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
}

test('adding the LCM-LoRA from the picker offers its settings; Apply sets them and the offer goes', async ({ page }) => {
  await page.goto(host.url);
  await openSection(page, 'Generate');
  await page.getByLabel('Prompt', { exact: true }).fill('a portrait');
  await page.getByRole('combobox', { name: 'Add LoRA' }).click();
  await page.getByRole('option', { name: 'lcm-lora-sdv1-5' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a portrait <lora:lcm-lora-sdv1-5:1>');
  const offer = page.getByRole('status', { name: 'Model settings' });
  await expect(offer).toContainText('LCM-LoRA (SD1.5): images in 4–8 steps is made for: LCM sampler, 4–8 steps, CFG 1–2.');
  await offer.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveText('LCM');
  await expect(page.getByLabel('Steps value')).toHaveValue('6');
  await expect(page.getByLabel('CFG scale value')).toHaveValue('1.5');
  await expect(offer).toHaveCount(0);
});

test('the Generate form keeps everything typed and chosen across a reload', async ({ page }) => {
  await page.goto(host.url);
  await openSection(page, 'Generate');
  await page.getByLabel('Prompt', { exact: true }).fill('Ada at the seaside, (golden hour:1.2)');
  await page.getByLabel('Negative prompt', { exact: true }).fill('hat');
  await page.getByRole('combobox', { name: 'Character' }).click();
  await page.getByRole('option', { name: 'Grace' }).click();
  await page.getByRole('combobox', { name: 'Style preset' }).click();
  await page.getByRole('option', { name: 'Watercolor' }).click();
  await expect(page.getByLabel('Face weight value')).toHaveValue('0.65'); // the preset's suggestion
  await page.getByLabel('Face weight value').fill('1.1');
  await page.getByLabel('Steps value').fill('12');
  await page.getByRole('combobox', { name: 'Sampler' }).click();
  await page.getByRole('option', { name: 'DDIM' }).click();
  await page.getByRole('combobox', { name: 'Seed mode' }).click();
  await page.getByRole('option', { name: 'Fixed' }).click();
  await page.getByLabel('Seed', { exact: true }).fill('4242');
  await page.getByRole('combobox', { name: 'Size' }).click();
  await page.getByRole('option', { name: /Portrait 3:4/ }).click();
  // Token counter from the real CLIP tokenizer in the models folder.
  await expect(page.getByLabel('Prompt tokens', { exact: true })).toHaveText(/^\d+\/75$/);

  await page.reload();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Ada at the seaside, (golden hour:1.2)');
  await expect(page.getByLabel('Negative prompt', { exact: true })).toHaveValue('hat');
  await expect(page.getByRole('combobox', { name: 'Character' })).toHaveText('Grace');
  await expect(page.getByRole('combobox', { name: 'Style preset' })).toHaveText('Watercolor');
  await expect(page.getByLabel('Face weight value')).toHaveValue('1.1');
  await expect(page.getByLabel('Steps value')).toHaveValue('12');
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveText('DDIM');
  await expect(page.getByRole('combobox', { name: 'Seed mode' })).toHaveText('Fixed');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('4242');
  await expect(page.getByLabel('Width')).toHaveValue('576');
  await expect(page.getByLabel('Height')).toHaveValue('768');
});

test('a user style preset is saved in the library and offered after a reload', async ({ page }) => {
  await page.goto(host.url);
  await openSection(page, 'Generate');
  await page.getByRole('combobox', { name: 'Style preset' }).click();
  await page.getByRole('option', { name: 'Comic' }).click();
  await page.getByRole('button', { name: 'Edit style preset' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Preset name').fill('Noir comic');
  await dialog.getByLabel('Prompt template').fill('noir comic panel of {prompt}, heavy shadows');
  await dialog.getByRole('button', { name: 'Save as my preset' }).click();
  await expect(page.getByRole('combobox', { name: 'Style preset' })).toHaveText('Noir comic (yours)');
  await page.reload();
  await page.getByRole('combobox', { name: 'Style preset' }).click();
  await expect(page.getByRole('option', { name: 'Noir comic (yours)' })).toBeVisible();
  await page.keyboard.press('Escape');
  // A template without {prompt} is refused with a message saying why.
  await page.getByRole('button', { name: 'Edit style preset' }).click();
  await page.getByRole('dialog').getByLabel('Prompt template').fill('no placeholder');
  await page.getByRole('dialog').getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('{prompt}');
});

test('dropping an A1111 PNG onto Generate loads its parameters', async ({ page }) => {
  const text = formatA1111Parameters({ prompt: 'a lighthouse at dusk', negativePrompt: 'fog', steps: 33, sampler: 'Euler a', cfg: 5.5, seed: 777, width: 640, height: 896 });
  const png = Buffer.from(addPngText(await makePng({ width: 16, height: 16 }), 'parameters', text));
  await page.goto(host.url);
  await openSection(page, 'Generate');
  const dataTransfer = await page.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'a1111.png', { type: 'image/png' }));
    return transfer;
  }, png.toString('base64'));
  const region = page.getByRole('region', { name: 'Generate' });
  await region.dispatchEvent('dragover', { dataTransfer });
  await region.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByText('Loaded the A1111 settings from a1111.png.')).toBeVisible();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a lighthouse at dusk');
  await expect(page.getByLabel('Steps value')).toHaveValue('33');
  await expect(page.getByLabel('CFG scale value')).toHaveValue('5.5');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('777');
  await expect(page.getByLabel('Width')).toHaveValue('640');
});

test('screenshots of every page at 1280×800', async ({ page }, testInfo) => {
  const shot = async (name: string) => {
    // No tooltip left open over the page (they open on hover and on focus).
    await page.mouse.move(1279, 799);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expect(page.getByRole('tooltip')).toHaveCount(0); // closed, its fade-out done (it unmounts then)
    await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  };
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
  await shot('characters');
  await openSection(page, 'Generate');
  await page.getByLabel('Prompt', { exact: true }).fill('portrait of Ada in a sunlit library, reading');
  await page.getByRole('combobox', { name: 'Model' }).click();
  await page.getByRole('option', { name: 'sd15-tiny.safetensors' }).click();
  await shot('generate');
  await openSection(page, 'Queue');
  await shot('queue');
  await openSection(page, 'Gallery');
  await expect(page.locator('[data-tile] img').first()).toBeVisible();
  await shot('gallery');
  await page.locator('[data-tile] button').first().click();
  await expect(page.getByRole('dialog', { name: 'Image details' })).toBeVisible();
  await shot('gallery-detail');
  await page.getByRole('button', { name: 'Inpaint' }).click();
  await expect(page.getByRole('heading', { name: 'Inpaint' })).toBeVisible();
  const canvas = page.getByLabel('Mask', { exact: true });
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.up();
  await shot('inpaint');
  // This library has no face models: the button says what is missing instead of failing silently.
  await page.getByRole('button', { name: 'Mask the face' }).click();
  await expect(page.getByRole('alert')).toContainText('face detector');
  await page.getByRole('button', { name: 'Undo' }).click();
  await openSection(page, 'Settings');
  await shot('settings');
  // Model memory is stored and shown again after a reload (the engine takes it before its next job).
  await page.getByRole('combobox', { name: 'Model memory' }).click();
  await page.getByRole('option', { name: /^Compact/u }).click();
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Model memory' })).toContainText('Compact');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Light theme' }).click();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Light theme' })).toHaveAttribute('aria-pressed', 'true');
  await openSection(page, 'Gallery');
  await expect(page.locator('[data-tile] img').first()).toBeVisible();
  await shot('gallery-light');
  await openSection(page, 'Settings');
  await page.getByRole('button', { name: 'Dark theme' }).click();
});

test('the smallest supported window (1024×700): no page scrolls sideways, no console errors', async ({ page }, testInfo) => {
  // Console errors include Content-Security-Policy reports (e.g. a library probing eval), which users see in devtools.
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);
  for (const section of ['Characters', 'Generate', 'Queue', 'Gallery', 'Settings']) {
    await openSection(page, section);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${section} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  }
  await openSection(page, 'Generate');
  await page.screenshot({ path: testInfo.outputPath('generate-1024x700.png') });
  expect(consoleErrors).toEqual([]);
});

test('gallery → remix fills Generate; export PNG carries A1111 parameters that read back', async ({ page }) => {
  await page.goto(host.url);
  await openSection(page, 'Gallery');
  await page.locator('[data-tile] button').first().click();
  const dialog = page.getByRole('dialog', { name: 'Image details' });
  await expect(dialog.getByRole('table', { name: 'Parameters' })).toContainText('portrait 0');

  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export PNG' }).click()]);
  const { readFile } = await import('node:fs/promises');
  const { readPngTexts } = await import('../../src-preload/contract/png-text.ts');
  const { parseA1111Parameters } = await import('../../src-preload/contract/a1111-parameters.ts');
  const texts = readPngTexts(new Uint8Array(await readFile(await download.path())));
  const parsed = parseA1111Parameters(texts.parameters ?? '');
  expect(parsed.prompt).toBe('portrait 0');
  expect(parsed.params).toMatchObject({ seed: 0, steps: 20, cfg: 7, sampler: 'Euler a', width: 96, height: 96 });
  expect(parsed.raw.Model).toBe('sd15-photo'); // portrait 0 was made without FaceID, so no FaceID keys
  expect(parsed.raw['FaceID weight']).toBeUndefined();

  await dialog.getByRole('button', { name: 'Remix' }).click();
  await expect(page.getByRole('heading', { name: 'Generate', level: 2 })).toBeVisible();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('portrait 0');
  await expect(page.getByRole('combobox', { name: 'Seed mode' })).toHaveText('Fixed');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('0');
  await expect(page.getByRole('combobox', { name: 'Style preset' })).toHaveText('None');
});
