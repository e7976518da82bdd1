// Generations: every image made, with all parameters as JSON and indexed columns for the gallery's filters.
import { randomUUID } from 'node:crypto';
import { GenerationParamsSchema, type GenerationParams } from '../../src-preload/contract/generation.ts';
import type { Generation, GenerationFilter } from '../../src-preload/contract/generations.ts';
import { StudioError } from '../base/errors.ts';
import { MatchCounts } from './match-counts.ts';
import type { LibraryDatabase } from './db.ts';

export interface GenerationRow {
  id: string;
  job_id: string | null;
  character_id: string | null;
  parent_id: string | null;
  params_json: string;
  model: string;
  seed: number;
  width: number;
  height: number;
  image: string;
  favorite: 0 | 1;
  identity_score: number | null;
  best_of_rank: number | null;
  best_of_count: number | null;
  best_of_kept: 0 | 1 | null;
  created_at: number;
}

export interface NewGeneration {
  jobId?: string | null;
  characterId?: string | null;
  parentId?: string | null;
  params: GenerationParams;
  /** The seed this image was made with (batch images use seed, seed + 1, …). */
  seed: number;
  identityScore?: number | null;
  /** The picture's size when it is not the parameters' (the hires fix's target size). */
  width?: number;
  height?: number;
  /** A best-of-N job's ranking of this image. */
  ranking?: { rank: number; of: number; kept: boolean } | null;
}

const ORDER_BY: Record<GenerationFilter['sort'], string> = {
  newest: 'created_at DESC, rowid DESC',
  oldest: 'created_at ASC, rowid ASC',
  // Same order as "measured first, best first": cosine similarities are ≥ -1, so NULL as -2 sorts last. Written as
  // the expression of the generations_by_identity_order index so SQLite walks the index instead of sorting.
  identity: 'ifnull(identity_score, -2) DESC, created_at DESC, rowid DESC',
};

/** A row as a Generation, its parameters checked against the contract (for single rows: details, after an insert). */
export function toGeneration(row: GenerationRow): Generation {
  return { ...toListedGeneration(row), params: GenerationParamsSchema.parse(JSON.parse(row.params_json)) };
}

/**
 * A row as a Generation without re-validating its parameters: they were validated when the row was written (insert
 * takes GenerationParams), and parsing 100 of them with zod per page costs more than the query itself.
 */
export function toListedGeneration(row: GenerationRow): Generation {
  return {
    id: row.id,
    jobId: row.job_id,
    characterId: row.character_id,
    parentId: row.parent_id,
    params: JSON.parse(row.params_json) as GenerationParams,
    model: row.model,
    seed: row.seed,
    width: row.width,
    height: row.height,
    image: row.image,
    favorite: row.favorite === 1,
    identityScore: row.identity_score,
    ranking: row.best_of_rank === null || row.best_of_count === null ? null : { rank: row.best_of_rank, of: row.best_of_count, kept: row.best_of_kept !== 0 },
    createdAt: row.created_at,
  };
}

export class GenerationsRepository {
  readonly #db: LibraryDatabase;
  readonly #counts: MatchCounts;

  constructor(db: LibraryDatabase) {
    this.#db = db;
    this.#counts = new MatchCounts(db);
  }

  /** Media path where a generation's PNG is stored. */
  static imagePath(id: string): string {
    return `generations/${id.slice(0, 2)}/${id}.png`;
  }

  /** Records an image already written at `imagePath(id)`; the id is chosen by the caller so the file can be written first. */
  insert(input: NewGeneration & { id?: string }, now = Date.now()): Generation {
    const id = input.id ?? randomUUID();
    this.#db
      .prepare(
        `INSERT INTO generations (id, job_id, character_id, parent_id, params_json, model, seed, width, height, image, identity_score,
           best_of_rank, best_of_count, best_of_kept, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.jobId ?? null, input.characterId ?? null, input.parentId ?? null, JSON.stringify(input.params), input.params.model, input.seed,
        input.width ?? input.params.width, input.height ?? input.params.height, GenerationsRepository.imagePath(id), input.identityScore ?? null,
        input.ranking?.rank ?? null, input.ranking?.of ?? null, input.ranking ? (input.ranking.kept ? 1 : 0) : null, now);
    return this.get(id);
  }

  get(id: string): Generation {
    const row = this.#db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as GenerationRow | undefined;
    if (row === undefined) throw new StudioError('library.not-found', { userMessage: `There is no generation with id ${id}; it may have been deleted.` });
    return toGeneration(row);
  }

  list(filter: GenerationFilter): { generations: Generation[]; total: number } {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (filter.characterId !== undefined) conditions.push('character_id = ?'), values.push(filter.characterId);
    if (filter.model !== undefined) conditions.push('model = ?'), values.push(filter.model);
    if (filter.favoriteOnly) conditions.push('favorite = 1');
    if (filter.createdAfter !== undefined) conditions.push('created_at >= ?'), values.push(filter.createdAfter);
    if (filter.createdBefore !== undefined) conditions.push('created_at < ?'), values.push(filter.createdBefore);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const total = this.#counts.count(where, values);
    const rows = this.#db
      .prepare(`SELECT * FROM generations ${where} ORDER BY ${ORDER_BY[filter.sort]} LIMIT ? OFFSET ?`)
      .all(...values, filter.limit, filter.offset) as GenerationRow[];
    return { generations: rows.map(toListedGeneration), total };
  }

  setFavorite(id: string, favorite: boolean): Generation {
    const { changes } = this.#db.prepare('UPDATE generations SET favorite = ? WHERE id = ?').run(favorite ? 1 : 0, id);
    if (changes === 0) this.get(id);
    return this.get(id);
  }

  /** Deletes rows and returns the media paths of their images, for the caller to remove once the transaction committed. */
  delete(ids: readonly string[]): string[] {
    const images: string[] = [];
    const select = this.#db.prepare('SELECT image FROM generations WHERE id = ?').pluck();
    const remove = this.#db.prepare('DELETE FROM generations WHERE id = ?');
    for (const id of ids) {
      const image = select.get(id) as string | undefined;
      if (image === undefined) continue;
      remove.run(id);
      images.push(image);
    }
    return images;
  }

  idsOfCharacter(characterId: string): string[] {
    return this.#db.prepare('SELECT id FROM generations WHERE character_id = ?').pluck().all(characterId) as string[];
  }
}
