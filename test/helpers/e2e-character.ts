// Browser-test step shared by the studio journeys: a new character with one face photo, analysed.
import { expect, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { facePhotoPng } from './face-fixtures.ts';

export async function createCharacterWithPhoto(page: Page, url: string, scratch: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'New character' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const file = `${name.toLowerCase()}.png`;
  const photo = path.join(scratch, file);
  writeFileSync(photo, await facePhotoPng());
  await page.getByLabel('Choose reference photos').setInputFiles([photo]);
  await expect(page.getByLabel(`Face check for ${file}`)).toHaveText(/\d+ faces? found/, { timeout: 30_000 });
}
