// How many generations match a filter, remembered until the database changes: scrolling or paging through one filter
// asks for the same count again and again, and COUNT(*) walks every matching index entry (100k rows: milliseconds).
import type { LibraryDatabase } from './db.ts';

/** Remembered counts stay small: one per filter the user tried since the last write. */
const MAX_REMEMBERED = 64;

export class MatchCounts {
  readonly #db: LibraryDatabase;
  readonly #counts = new Map<string, number>();
  #stamp = '';

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  /** COUNT(*) of generations under `where` (an SQL WHERE clause or '') with `values` bound, from memory when unchanged. */
  count(where: string, values: readonly unknown[]): number {
    const stamp = this.#changeStamp();
    if (stamp !== this.#stamp) {
      this.#counts.clear();
      this.#stamp = stamp;
    }
    const key = JSON.stringify([where, values]);
    const remembered = this.#counts.get(key);
    if (remembered !== undefined) return remembered;
    const counted = this.#db.prepare(`SELECT COUNT(*) FROM generations ${where}`).pluck().get(...values) as number;
    if (this.#counts.size >= MAX_REMEMBERED) this.#counts.clear();
    this.#counts.set(key, counted);
    return counted;
  }

  /**
   * Changes whenever the database may have: data_version moves when another connection (another process) commits,
   * total_changes() when this connection writes anything (any table, cascades included through the statements that
   * caused them) — conservative, a write elsewhere only costs one recount.
   */
  #changeStamp(): string {
    const dataVersion = this.#db.pragma('data_version', { simple: true }) as number;
    const ownChanges = this.#db.prepare('SELECT total_changes()').pluck().get() as number;
    return `${dataVersion}:${ownChanges}`;
  }
}
