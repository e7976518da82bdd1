// The Models page on a real host: an empty models folder (every missing piece with its action, the research-licence
// acknowledgement, commercial-clean mode) and a filled one (the tiny fixture models under misleading names, found by
// content), the self-test run from the page, and the smallest window. Screenshots at 1280×800 under test-results/e2e/.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../helpers/fixtures.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let scratch: string;
let emptyHost: SpawnedHost;
let filledHost: SpawnedHost;

/** Fixture → a name that says something else, so only identification by content can place it. */
const MISLEADING_COPIES: Array<[string[], string]> = [
  [['sd15-tiny.safetensors'], 'loras/my-vae-backup.safetensors'],
  [['ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'], 'checkpoints/unknown.bin'],
  [['ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'], 'loras/lora-style.safetensors'],
  [['ipadapter-tiny', 'ip-adapter-faceid-portrait_sd15_tiny.safetensors'], 'misc/portrait-ish.safetensors'],
  [['ipadapter-tiny', 'image_encoder', 'model.safetensors'], 'misc/clip-thing.safetensors'],
  [['face', 'models', 'det_10g.onnx'], 'misc/recognizer.onnx'],
  [['face', 'models', 'w600k_r50.onnx'], 'misc/detector.onnx'],
  [['tokenizer', 'vocab.json'], 'misc/words.json'],
  [['tokenizer', 'merges.txt'], 'misc/pairs.txt'],
];

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-models-'));
  const filledModels = path.join(scratch, 'filled', 'models');
  for (const [from, to] of MISLEADING_COPIES) {
    mkdirSync(path.dirname(path.join(filledModels, to)), { recursive: true });
    copyFileSync(fixture(...from), path.join(filledModels, to));
  }
  [emptyHost, filledHost] = await Promise.all([spawnHost(path.join(scratch, 'empty')), spawnHost(path.join(scratch, 'filled'))]);
});

test.afterAll(async () => {
  await Promise.all([emptyHost?.stop(), filledHost?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

async function openModels(page: Page, host: SpawnedHost): Promise<void> {
  await page.goto(host.url);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // No tooltip left open over the page (they open on hover and on focus).
  await page.mouse.move(1279, 799);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect(page.getByRole('tooltip')).toHaveCount(0); // closed, its fade-out done (it unmounts then)
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await page.screenshot({ path: testInfo.outputPath(`${name}-full.png`), fullPage: true });
}

test('an empty models folder: every feature says what is missing and offers its action', async ({ page }, testInfo) => {
  await openModels(page, emptyHost);
  await expect(page.getByLabel('Readiness summary')).toContainText('0 of');
  await expect(page.getByLabel('FaceID (SD1.5): Missing pieces')).toBeVisible();
  await expect(page.getByLabel('Text to image (SD1.5): Missing pieces')).toBeVisible();
  const faceid = page.getByRole('list', { name: 'Pieces of FaceID (SD1.5)' });
  await expect(faceid.getByRole('button', { name: /^Download / }).first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Models found in folders' })).toHaveCount(0);
  await expect(page.getByText('No model files in these folders yet.')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Execution providers' }).getByRole('listitem', { name: /^cpu: works/ })).toBeVisible({ timeout: 30_000 });
  await shot(page, testInfo, 'models-empty');

  // A research-licence model asks once before downloading; cancelling starts nothing.
  const catalog = page.getByRole('table', { name: 'Model catalog' });
  const nonCommercialRow = catalog.getByRole('row').filter({ has: page.getByLabel(/^Non-commercial licence/) }).first();
  await nonCommercialRow.getByRole('button', { name: /^Download / }).click();
  const dialog = page.getByRole('dialog', { name: 'Research licence: non-commercial use only' });
  await expect(dialog).toBeVisible();
  await shot(page, testInfo, 'models-acknowledge');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Commercial-clean mode hides every non-commercial catalog entry and says what remains; turning it off restores them.
  const badges = catalog.getByLabel(/^Non-commercial licence/);
  expect(await badges.count()).toBeGreaterThan(0);
  const rowsBefore = await catalog.getByRole('row').count();
  // click, not check(): the switch follows the studio's answer, which comes a moment after the click.
  const commercialClean = page.getByRole('switch', { name: 'Commercial-clean mode' });
  await commercialClean.click();
  await expect(commercialClean).toBeChecked();
  await expect(page.getByRole('alert', { name: 'Commercial-clean mode' })).toContainText('Non-commercial models are hidden');
  await expect(badges).toHaveCount(0);
  expect(await catalog.getByRole('row').count()).toBeLessThan(rowsBefore);
  await commercialClean.click();
  await expect(commercialClean).not.toBeChecked();
  await expect(catalog.getByRole('row')).toHaveCount(rowsBefore);
});

test('a filled models folder: the fixture models under misleading names are found by content and features are ready', async ({ page }, testInfo) => {
  await openModels(page, filledHost);
  for (const feature of ['Text to image (SD1.5)', 'FaceID (SD1.5)', 'FaceID-PlusV2 (SD1.5)', 'FaceID Portrait (SD1.5)', 'Face analysis (detection, identity score)']) {
    await expect(page.getByLabel(`${feature}: Ready`)).toBeVisible();
  }
  await expect(page.getByLabel('FaceID (SDXL): Missing pieces')).toBeVisible();
  const found = page.getByRole('table', { name: 'Models found in folders' });
  const row = (file: string) => found.getByRole('row').filter({ hasText: file });
  await expect(row('my-vae-backup.safetensors')).toContainText('checkpoint');
  await expect(row('my-vae-backup.safetensors')).toContainText('SD 1.5');
  await expect(row('lora-style.safetensors')).toContainText('ip-adapter');
  await expect(row('lora-style.safetensors')).toContainText('faceid-plusv2');
  await expect(row('unknown.bin')).toContainText('faceid');
  await expect(row('recognizer.onnx')).toContainText('face-detector');
  await expect(row('detector.onnx')).toContainText('face-recognizer');
  await expect(row('clip-thing.safetensors')).toContainText('image-encoder');
  await shot(page, testInfo, 'models-filled');
});

test('the self-test runs from the page and shows each step', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await openModels(page, filledHost);
  await page.getByRole('button', { name: 'Run self-test' }).click();
  await expect(page.getByRole('button', { name: 'Running self-test…' })).toBeDisabled();
  const result = page.getByRole('alert', { name: 'Self-test result' });
  await expect(result).toBeVisible({ timeout: 240_000 });
  await expect(result).toContainText('Self-test passed');
  const steps = page.getByRole('list', { name: 'Self-test steps' }).getByRole('listitem');
  expect(await steps.count()).toBeGreaterThan(1);
  await expect(steps.first()).toContainText('passed');
  await result.scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'models-selftest');
});

test('the smallest supported window (1024×700): the Models page does not scroll sideways', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openModels(page, filledHost);
  await expect(page.getByRole('table', { name: 'Models found in folders' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `the Models page overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath('models-1024x700.png'), fullPage: true });
});
