// The gallery's pages: keyset pagination over indexed sort keys, so page 800 costs what page 1 costs.
// A cursor is the last row's sort key plus its rowid (ties broken by rowid, in the sort's direction).
import type { GalleryPage, GalleryQuery } from '../../src-preload/contract/gallery.ts';
import { StudioError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';
import { toListedGeneration, type GenerationRow } from './generations-repository.ts';
import { MatchCounts } from './match-counts.ts';

interface SortSpec {
  /** SQL expressions of the sort key, rowid last. */
  keys: string[];
  direction: 'ASC' | 'DESC';
}

const SORTS: Record<GalleryQuery['sort'], SortSpec> = {
  newest: { keys: ['created_at', 'rowid'], direction: 'DESC' },
  oldest: { keys: ['created_at', 'rowid'], direction: 'ASC' },
  // Unmeasured rows (NULL) sort as -2, below every cosine similarity.
  identity: { keys: ['ifnull(identity_score, -2)', 'created_at', 'rowid'], direction: 'DESC' },
};

type KeyedRow = GenerationRow & { sort_keys: string };

export class GalleryQueries {
  readonly #db: LibraryDatabase;
  readonly #counts: MatchCounts;

  constructor(db: LibraryDatabase) {
    this.#db = db;
    this.#counts = new MatchCounts(db);
  }

  page(query: GalleryQuery): GalleryPage {
    const sort = SORTS[query.sort];
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.characterId !== undefined) conditions.push('character_id = ?'), values.push(query.characterId);
    if (query.model !== undefined) conditions.push('model = ?'), values.push(query.model);
    if (query.adapter !== undefined) conditions.push('adapter = ?'), values.push(query.adapter);
    if (query.favoriteOnly) conditions.push('favorite = 1');
    if (query.createdAfter !== undefined) conditions.push('created_at >= ?'), values.push(query.createdAfter);
    if (query.createdBefore !== undefined) conditions.push('created_at < ?'), values.push(query.createdBefore);
    const filterWhere = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const total = query.withTotal ? this.#counts.count(filterWhere, values) : null;

    const pageConditions = [...conditions];
    const pageValues = [...values];
    if (query.after !== undefined) {
      const cursor = decodeCursor(query.after, sort.keys.length);
      pageConditions.push(`(${sort.keys.join(', ')}) ${sort.direction === 'DESC' ? '<' : '>'} (${sort.keys.map(() => '?').join(', ')})`);
      pageValues.push(...cursor);
    }
    const where = pageConditions.length > 0 ? `WHERE ${pageConditions.join(' AND ')}` : '';
    const orderBy = sort.keys.map((key) => `${key} ${sort.direction}`).join(', ');
    const rows = this.#db
      .prepare(`SELECT *, json_array(${sort.keys.join(', ')}) AS sort_keys FROM generations ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
      .all(...pageValues, query.limit + 1, query.after === undefined ? query.offset : 0) as KeyedRow[];
    const hasMore = rows.length > query.limit;
    const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
    const last = pageRows.at(-1);
    return { generations: pageRows.map(toListedGeneration), total, nextCursor: hasMore && last !== undefined ? last.sort_keys : null };
  }

  facets(): { models: string[]; adapters: string[] } {
    return { models: this.#distinct('model', ''), adapters: this.#distinct('adapter', '') };
  }

  /**
   * The distinct values of an indexed column above `floor`, by hopping from one value to the next through the index
   * (a few lookups per value) instead of scanning every row.
   */
  #distinct(column: 'model' | 'adapter', floor: string): string[] {
    return this.#db
      .prepare(
        `WITH RECURSIVE hop(value) AS (
           SELECT (SELECT MIN(${column}) FROM generations WHERE ${column} > ?)
           UNION ALL
           SELECT (SELECT MIN(${column}) FROM generations WHERE ${column} > hop.value) FROM hop WHERE hop.value IS NOT NULL
         )
         SELECT value FROM hop WHERE value IS NOT NULL`,
      )
      .pluck()
      .all(floor) as string[];
  }
}

function decodeCursor(cursor: string, length: number): (number | string)[] {
  let keys: unknown;
  try {
    keys = JSON.parse(cursor);
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys) || keys.length !== length || !keys.every((key) => typeof key === 'number' || typeof key === 'string')) {
    throw new StudioError('invalid-request', { userMessage: 'The gallery asked for a page after a position it does not know.', hint: 'Reload the gallery; the filters or sort changed since that page.' });
  }
  return keys as (number | string)[];
}
