// The gallery at gallery scale in Chromium: rows seeded as the browser tests seed them (test/helpers/seed-gallery.ts),
// served by the real host, driven by playwright-core. Timed in the page's own clock: the first page (grid mounted →
// first tile image in the DOM) and each filter (click → the new count or first tile shown). These were limits in the
// browser tests once; on a shared machine they measured the neighbours, so they are figures here.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { rendererFolder } from '../src-main/app/compose.ts';
import { seedGallery } from '../test/helpers/seed-gallery.ts';
import { spawnHost } from '../test/helpers/spawn-host.ts';
import { median } from './results.ts';

export interface GalleryBenchResult {
  readonly rows: number;
  readonly firstPageMs: readonly number[];
  /** Favourites on/off and character Ada/All, each click to its count. */
  readonly filterMs: readonly number[];
  /** Best identity first / newest first, each click to the new first tile. */
  readonly sortMs: readonly number[];
}

const chromiumPath = process.env['PLAYWRIGHT_CHROMIUM_EXECUTABLE'] ?? '/usr/bin/chromium';
const COUNT = `(document.querySelector('[aria-label="Image count"]')?.textContent ?? '')`;
const FIRST_TILE = `(document.querySelector('[data-tile] button')?.getAttribute('aria-label') ?? '')`;
const clickOption = (text: string) => `[...document.querySelectorAll('[role="option"]')].find((o) => o.textContent === ${JSON.stringify(text)}).click()`;

/**
 * Runs `act` in the page and measures, in the page's clock, until `done` holds (checked every animation frame).
 * Both are expressions given by the bench (not the page's own code, so the page's CSP does not apply).
 */
function timeInPage(page: Page, act: string, done: string): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const start = performance.now();
    ${act};
    const check = () => {
      if (${done}) resolve(performance.now() - start);
      else if (performance.now() - start > 60000) reject(new Error('not done within 60 s: ' + ${JSON.stringify(done)}));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

/** From the Gallery tab's click: when its grid mounted (its first request leaves then) and when the first tile image showed. */
function firstPageInPage(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const start = performance.now();
    let mounted;
    document.querySelector('#section-gallery').click();
    const check = () => {
      const now = performance.now();
      if (mounted === undefined && document.querySelector('[role="grid"][aria-label="Images"]') !== null) mounted = now;
      if (document.querySelector('[data-tile] img') !== null) resolve(now - mounted);
      else if (now - start > 60000) reject(new Error('no tile within 60 s'));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

export async function benchGallery(options: { rows: number; repeats: number }): Promise<GalleryBenchResult> {
  if (!existsSync(path.join(rendererFolder, 'index.html'))) throw new Error('the renderer is not built (npm run build)');
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium, or set PLAYWRIGHT_CHROMIUM_EXECUTABLE)`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-gallery-'));
  const library = path.join(scratch, 'library');
  try {
    const seeded = await seedGallery(library, options.rows);
    const host = await spawnHost(library);
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(host.url);
      const all = `${options.rows.toLocaleString('en-US')} images`;
      const firstPageMs: number[] = [];
      for (let i = 0; i < options.repeats; i++) {
        await page.evaluate(`window.location.hash = '#/characters'`);
        await page.getByRole('heading', { name: 'Characters' }).waitFor();
        firstPageMs.push(await firstPageInPage(page));
      }
      await page.getByText(all, { exact: true }).waitFor();

      const ada = seeded.characters[0]!;
      const adaCount = `${seeded.perCharacter[ada.id]!.toLocaleString('en-US')} images`;
      const favouriteCount = `${seeded.favorites.toLocaleString('en-US')} images`;
      const clickFavourites = `document.querySelector('[aria-label="Favourites only"]').click()`;
      const filterMs: number[] = [];
      for (let i = 0; i < options.repeats; i++) {
        filterMs.push(await timeInPage(page, clickFavourites, `${COUNT} === ${JSON.stringify(favouriteCount)}`));
        filterMs.push(await timeInPage(page, clickFavourites, `${COUNT} === ${JSON.stringify(all)}`));
        await page.getByRole('combobox', { name: 'Character' }).click();
        filterMs.push(await timeInPage(page, clickOption(ada.name), `${COUNT} === ${JSON.stringify(adaCount)}`));
        await page.getByRole('combobox', { name: 'Character' }).click();
        filterMs.push(await timeInPage(page, clickOption('All'), `${COUNT} === ${JSON.stringify(all)}`));
      }

      const sortMs: number[] = [];
      for (let i = 0; i < 2 * options.repeats; i++) {
        const before = await page.evaluate(FIRST_TILE);
        await page.getByRole('combobox', { name: 'Sort' }).click();
        sortMs.push(await timeInPage(page, clickOption(i % 2 === 0 ? 'Best identity first' : 'Newest first'), `${FIRST_TILE} !== ${JSON.stringify(before)}`));
      }
      return { rows: options.rows, firstPageMs, filterMs, sortMs };
    } finally {
      await browser.close();
      await host.stop();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A list of milliseconds summed up for a figure's note. */
export function spread(values: readonly number[]): string {
  return `median ${median(values).toFixed(0)}, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)} ms`;
}
