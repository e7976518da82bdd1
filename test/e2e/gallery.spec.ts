// The gallery with 100k generation rows seeded into the library: the first page, only visible tiles in the DOM while
// scrolling, filters and sorts giving the right rows; keyboard favourite, detail view, delete with undo. How fast it
// is at that scale is measured by `npm run bench` (gallery.*), not asserted here.
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedGallery, type SeededGallery } from '../helpers/seed-gallery.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';

const ROWS = 100_000;
/** GalleryPage's UNDO_MS: a delete is sent when it ends, unless undone. */
const UNDO_WINDOW_MS = 6000;
let host: SpawnedHost;
let scratch: string;
let seeded: SeededGallery;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-gallery-'));
  seeded = await seedGallery(path.join(scratch, 'library'), ROWS);
  host = await spawnHost(path.join(scratch, 'library'));
});

test.afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('100k images: first page, virtualized scrolling, and filters and sorts that give the right rows', async ({ page }, testInfo) => {
  // How fast (first page ≤ 300 ms, filters ≤ 100 ms) is `npm run bench` (gallery.*): here only what is shown.
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
  await page.getByRole('tab', { name: 'Gallery' }).click();
  await expect(page.locator('[data-tile] img').first()).toBeAttached();
  await expect(page.getByLabel('Image count')).toHaveText('100,000 images');
  // Newest first: the first tile is the newest row.
  await expect(page.locator('[data-tile] button').first()).toHaveAttribute('aria-label', /^Image 1, seed 0,/);

  // Virtualization: a handful of rows of tiles exist, not 100k; the same after jumping to the middle and the end.
  const tileCount = () => page.locator('[data-tile]').count();
  const initialTiles = await tileCount();
  expect(initialTiles).toBeGreaterThan(0);
  expect(initialTiles).toBeLessThan(200);
  const grid = page.getByRole('grid', { name: 'Images' });
  for (const fraction of [0.5, 1]) {
    await grid.evaluate((element, f) => (element.scrollTop = (element.scrollHeight - element.clientHeight) * f), fraction);
    await expect(page.locator('[data-tile] img').first()).toBeAttached();
    await expect.poll(tileCount).toBeLessThan(200);
    expect(await page.evaluate(() => document.querySelectorAll('*').length)).toBeLessThan(3000);
  }
  // The last row holds the oldest image: "portrait 99999".
  await expect(page.getByRole('button', { name: /^Image 100000, seed 99999,/ })).toBeAttached();
  await page.screenshot({ path: testInfo.outputPath('gallery-scrolled-to-end.png') });
  await grid.evaluate((element) => (element.scrollTop = 0));

  // Filters: each gives the count the seeding put there, and back to all of them.
  const count = page.getByLabel('Image count');
  const ada = seeded.characters[0]!;
  await page.getByLabel('Favourites only').click();
  await expect(count).toHaveText(`${seeded.favorites.toLocaleString('en-US')} images`);
  await page.getByLabel('Favourites only').click();
  await expect(count).toHaveText('100,000 images');
  await page.getByRole('combobox', { name: 'Character' }).click();
  await page.getByRole('option', { name: ada.name }).click();
  await expect(count).toHaveText(`${seeded.perCharacter[ada.id]!.toLocaleString('en-US')} images`);

  // Sorts, within Ada's images: the best identity score first (0.89, the highest seeded), then newest first again.
  for (const [sort, label] of [['Best identity first', /identity 0\.89/], ['Newest first', /^Image 1, seed \d+,/]] as const) {
    await page.getByRole('combobox', { name: 'Sort' }).click();
    await page.getByRole('option', { name: sort }).click();
    await expect(page.locator('[data-tile] button').first()).toHaveAttribute('aria-label', label);
  }
  await page.screenshot({ path: testInfo.outputPath('gallery.png') });
});

test('keyboard: arrows select, F favourites, Enter opens the details, Delete hides with undo', async ({ page }, testInfo) => {
  // The page's clock is Playwright's, so the undo window can be run through instead of waited out.
  await page.clock.install();
  await page.goto(host.url);
  await page.evaluate(() => window.localStorage.clear());
  await page.getByRole('tab', { name: 'Gallery' }).click();
  await expect(page.getByLabel('Image count')).toHaveText('100,000 images');
  const grid = page.getByRole('grid', { name: 'Images' });
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-tile][aria-selected="true"] button')).toHaveAttribute('aria-label', /^Image 2, seed 1,/);
  await page.keyboard.press('f');
  await expect(page.locator('[data-tile][aria-selected="true"] button')).toHaveAttribute('aria-label', /favourite$/);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Image details' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('table', { name: 'Parameters' })).toContainText('portrait 1');
  await expect(dialog.getByRole('button', { name: 'Favourite' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: testInfo.outputPath('gallery-detail.png') });
  await dialog.getByRole('button', { name: 'Favourite' }).click(); // back to how it was
  await expect(dialog.getByRole('button', { name: 'Favourite' })).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('table', { name: 'Parameters' })).toContainText('portrait 2');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Image deleted');
  await dialog.getByRole('button', { name: 'Undo' }).click();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close details' }).click();
  await page.clock.runFor(UNDO_WINDOW_MS + 500); // past the undo window (its timer fires now): nothing may have been deleted
  await page.reload();
  await expect(page.getByLabel('Image count')).toHaveText('100,000 images');
});
