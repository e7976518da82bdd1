// ControlNet in the studio on the tiny models: a character with FaceID and one Canny unit whose picture is dropped on
// the unit → its control map shown, plus a T2I-Adapter unit on the character's reference photo → one image in the
// gallery whose details name both units; Remix brings them back.
import { expect, test } from '@playwright/test';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCharacterWithPhoto } from '../helpers/e2e-character.ts';
import { fixture } from '../helpers/fixtures.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

let host: SpawnedHost;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-control-journey-'));
  const models = path.join(scratch, 'library', 'models');
  cpSync(fixture('sd15-tiny'), path.join(models, 'checkpoints', 'sd15-tiny'), { recursive: true });
  mkdirSync(path.join(models, 'ipadapter'));
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), path.join(models, 'ipadapter', 'ip-adapter-faceid_sd15_tiny.bin'));
  cpSync(fixture('face', 'models'), path.join(models, 'insightface'), { recursive: true });
  // A diffusers ControlNet folder where ComfyUI keeps them; found by content.
  cpSync(fixture('control', 'controlnet-tiny'), path.join(models, 'controlnet', 'controlnet-tiny'), { recursive: true });
  // A TencentARC T2I-Adapter file where A1111 keeps them (beside the ControlNets).
  copyFileSync(fixture('control', 't2iadapter_tiny_sd15v2.pth'), path.join(models, 'controlnet', 't2iadapter_tiny_sd15v2.pth'));
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('ControlNet journey: FaceID + a dropped Canny picture + a T2I-Adapter → image whose details show both units; remix restores them', async ({ page }, testInfo) => {
  test.setTimeout(180_000);

  await test.step('a character with a reference photo', () => createCharacterWithPhoto(page, host.url, scratch, 'Mira'));

  await test.step('FaceID at 128×128 with one Canny unit from a dropped picture; its map is shown', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByRole('combobox', { name: 'Character' }).click();
    await page.getByRole('option', { name: 'Mira' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('Mira dancing');
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'sd15-tiny' }).click();
    await page.getByRole('button', { name: 'FaceID', exact: true }).click();
    await page.getByLabel('Width', { exact: true }).fill('128');
    await page.getByLabel('Height', { exact: true }).fill('128');
    await page.getByLabel('Steps value').fill('2');

    await expect(page.getByLabel('ControlNet state')).toHaveText('off');
    await page.getByRole('button', { name: /^ControlNet/ }).click();
    await page.getByRole('button', { name: 'Add control unit' }).click();
    const unit = page.getByRole('group', { name: 'Control unit 1' });
    await expect(unit.getByRole('combobox', { name: 'Control model' })).toHaveText(/controlnet-tiny/);
    // Drop the picture on the unit (a real DataTransfer with the file's bytes).
    const bytes = [...readFileSync(fixture('control', 'control_images', 'photo_128.png'))];
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'pose.png', { type: 'image/png' }));
      return dt;
    }, bytes);
    await unit.dispatchEvent('drop', { dataTransfer: transfer });
    await expect(unit.getByRole('img', { name: 'Control unit 1 picture' })).toBeVisible();
    await expect(unit.getByRole('img', { name: 'Control unit 1 control map' })).toBeVisible();
    await expect(page.getByLabel('ControlNet state')).toHaveText('1 unit');

    // A second unit: the T2I-Adapter, with the character's own reference photo as its picture, used as is.
    await page.getByRole('button', { name: 'Add control unit' }).click();
    const adapter = page.getByRole('group', { name: 'Control unit 2' });
    await adapter.getByRole('combobox', { name: 'Control model' }).click();
    await page.getByRole('option', { name: 't2iadapter_tiny_sd15v2 (T2I-Adapter)' }).click();
    await adapter.getByRole('combobox', { name: 'Or a reference photo' }).click();
    await page.getByRole('option', { name: 'mira.png' }).click();
    await expect(adapter.getByRole('img', { name: 'Control unit 2 picture' })).toBeVisible();
    await adapter.getByRole('combobox', { name: 'Preprocessor' }).click();
    await page.getByRole('option', { name: 'None (a ready control map)' }).click();
    await expect(adapter.getByRole('img', { name: 'Control unit 2 control map' })).toBeVisible();
    await expect(page.getByLabel('ControlNet state')).toHaveText('2 units');
    await unit.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('control-generate.png') });
    // The shortcut from the prompt (Enter on a focused select would open its menu).
    await page.getByLabel('Prompt', { exact: true }).focus();
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(page.getByText('1 job queued')).toBeVisible();
  });

  await test.step('it runs to done; the details name the Canny unit; Remix brings it back', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click();
    await expect(page.getByRole('list', { name: 'Recent jobs' }).getByText('done', { exact: true })).toHaveCount(1, { timeout: 120_000 });
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await expect(page.getByLabel('Image count')).toHaveText('1 image');
    await page.locator('[data-tile] button').first().click();
    const dialog = page.getByRole('dialog', { name: 'Image details' });
    const row = dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'ControlNet 1', exact: true }) });
    await expect(row).toContainText('Canny · controlnet-tiny · weight 1 · steps 0–1');
    const adapterRow = dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'ControlNet 2', exact: true }) });
    await expect(adapterRow).toContainText('as is · t2iadapter_tiny_sd15v2 (T2I-Adapter) · weight 1 · steps 0–1');
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('control-details.png') });
    await dialog.getByRole('button', { name: 'Remix' }).click();
    await expect(page.getByLabel('ControlNet state')).toHaveText('2 units');
    await page.getByRole('button', { name: /^ControlNet/ }).click();
    await expect(page.getByRole('img', { name: 'Control unit 1 picture' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Control unit 2' }).getByRole('combobox', { name: 'Control model' })).toHaveText(/t2iadapter_tiny_sd15v2 \(T2I-Adapter\)/);
  });
});
