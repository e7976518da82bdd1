// Library at gallery scale: 100k generations inserted through the repository (as finished jobs insert them, 1000
// per transaction here), then the gallery's page query — 100 rows with the usual filters (character, model,
// favourites; newest first; random offsets) — timed one by one for p50/p99.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GenerationFilter } from '../src-preload/contract/generations.ts';
import { GenerationParamsSchema } from '../src-preload/contract/generation.ts';
import { Library } from '../src-main/library/library.ts';
import { percentile } from './results.ts';

export interface LibraryBenchResult {
  readonly rows: number;
  readonly insertSeconds: number;
  readonly queries: number;
  readonly pageP50Ms: number;
  readonly pageP99Ms: number;
}

export async function benchLibrary(options: { rows: number; queries: number }): Promise<LibraryBenchResult> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-library-'));
  const library = new Library(folder);
  try {
    const characters = Array.from({ length: 20 }, (_, i) => library.characters.create({ name: `Character ${i}`, notes: '' }).id);
    const models = Array.from({ length: 5 }, (_, i) => `/models/checkpoint-${i}.safetensors`);
    const start = Date.now() - options.rows * 1000;
    const batch = 1000;
    const insertStarted = performance.now();
    for (let done = 0; done < options.rows; done += batch) {
      library.db.transaction(() => {
        for (let i = done; i < Math.min(done + batch, options.rows); i++) {
          const params = GenerationParamsSchema.parse({
            model: models[i % models.length],
            prompt: `a photo of a person number ${i}, best quality, detailed`,
            negativePrompt: 'lowres, bad anatomy',
            seed: i,
            steps: 30,
            cfg: 7,
            sampler: 'DPM++ 2M Karras',
            width: 512,
            height: 512,
          });
          const generation = library.generations.insert({ params, seed: i, characterId: i % 3 === 0 ? null : characters[i % characters.length]!, identityScore: (i % 97) / 97 }, start + i * 1000);
          if (i % 10 === 0) library.generations.setFavorite(generation.id, true);
        }
      })();
    }
    const insertSeconds = (performance.now() - insertStarted) / 1000;

    const filters: ((i: number) => Partial<GenerationFilter>)[] = [
      (i) => ({ characterId: characters[i % characters.length]! }),
      (i) => ({ model: models[i % models.length]! }),
      () => ({ favoriteOnly: true }),
      (i) => ({ characterId: characters[i % characters.length]!, favoriteOnly: true }),
      () => ({}),
    ];
    const times: number[] = [];
    let seen = 0;
    for (let i = 0; i < options.queries; i++) {
      const filter: GenerationFilter = { favoriteOnly: false, sort: 'newest', limit: 100, offset: ((i * 7919) % 20) * 100, ...filters[i % filters.length]!(i) };
      const started = performance.now();
      const page = library.generations.list(filter);
      times.push(performance.now() - started);
      seen += page.generations.length;
    }
    if (seen === 0) throw new Error('library bench: every page came back empty');
    return { rows: options.rows, insertSeconds, queries: options.queries, pageP50Ms: percentile(times, 50), pageP99Ms: percentile(times, 99) };
  } finally {
    library.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
