// Seeds a library with many generation rows directly (the gallery performance test needs 100k without generating
// them): a few real PNG files shared by the rows, characters to filter by, a spread of dates, scores and favourites.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openLibraryDatabase } from '../../src-main/library/db.ts';
import { DATABASE_FILE_NAME } from '../../src-main/library/library.ts';

export interface SeededGallery {
  characters: { id: string; name: string }[];
  /** How many rows each filter value holds, for the test to check the counts it sees. */
  favorites: number;
  perCharacter: Record<string, number>;
}

const IMAGE_COUNT = 8;

async function writeImages(libraryFolder: string): Promise<string[]> {
  const images: string[] = [];
  for (let i = 0; i < IMAGE_COUNT; i++) {
    const id = `${(0xa0 + i).toString(16)}seed${i}`;
    const media = `generations/${id.slice(0, 2)}/${id}.png`;
    const hue = (i * 360) / IMAGE_COUNT;
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: `hsl(${hue}, 55%, 45%)` } })
      .composite([{ input: Buffer.from(`<svg width="96" height="96"><circle cx="48" cy="40" r="22" fill="#f1d3b3"/><rect x="20" y="66" width="56" height="30" rx="12" fill="#333"/></svg>`) }])
      .png()
      .toBuffer();
    mkdirSync(path.join(libraryFolder, path.dirname(media)), { recursive: true });
    writeFileSync(path.join(libraryFolder, media), png);
    images.push(media);
  }
  return images;
}

export async function seedGallery(libraryFolder: string, count: number, now = Date.now()): Promise<SeededGallery> {
  mkdirSync(libraryFolder, { recursive: true });
  const images = await writeImages(libraryFolder);
  const db = openLibraryDatabase(path.join(libraryFolder, DATABASE_FILE_NAME));
  try {
    const characters = ['Ada', 'Grace', 'Hedy'].map((name) => ({ id: randomUUID(), name }));
    const insertCharacter = db.prepare('INSERT INTO characters (id, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    const insert = db.prepare(
      `INSERT INTO generations (id, job_id, character_id, parent_id, params_json, model, seed, width, height, image, favorite, identity_score, created_at)
       VALUES (?, NULL, ?, NULL, ?, ?, ?, 96, 96, ?, ?, ?, ?)`,
    );
    const perCharacter: Record<string, number> = {};
    let favorites = 0;
    db.transaction(() => {
      for (const c of characters) insertCharacter.run(c.id, c.name, '', now, now);
      for (let i = 0; i < count; i++) {
        const character = characters[i % characters.length]!;
        const model = i % 2 === 0 ? '/models/sd15-photo.safetensors' : '/models/sd15-art.safetensors';
        const adapter = i % 5 === 0 ? undefined : i % 5 < 3 ? '/models/ip-adapter-faceid-plusv2_sd15.bin' : '/models/ip-adapter-faceid_sd15.bin';
        const params = {
          model, prompt: `portrait ${i}`, negativePrompt: '', seed: i, steps: 20, cfg: 7, sampler: 'Euler a', width: 96, height: 96, batchSize: 1, clipSkip: 1, loras: [],
          ...(adapter === undefined ? {} : { faceid: { adapter, faces: [], characterId: character.id, faceWeight: 0.8, structure: 1, loraWeight: 0.6, combine: 'average' } }),
        };
        const favorite = i % 97 === 0 ? 1 : 0;
        favorites += favorite;
        perCharacter[character.id] = (perCharacter[character.id] ?? 0) + 1;
        // One image a minute going back in time; scores spread over [0.2, 0.9) with every 7th unmeasured.
        insert.run(randomUUID(), character.id, JSON.stringify(params), model, i, images[i % images.length]!, favorite, i % 7 === 0 ? null : 0.2 + ((i * 37) % 70) / 100, now - i * 60_000);
      }
    })();
    return { characters, favorites, perCharacter };
  } finally {
    db.close();
  }
}
