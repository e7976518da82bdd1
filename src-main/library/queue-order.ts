// The order queued jobs run in. A job's key is its queue_order, or its created_at until the user moves it;
// a moved job gets a key between its new neighbours, so one move writes one row.
import type { Job } from '../../src-preload/contract/jobs.ts';
import { StudioError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';
import { toJob, type JobRow } from './jobs-repository.ts';

const ORDER_KEY = 'ifnull(queue_order, created_at)';

export class QueueOrder {
  readonly #db: LibraryDatabase;

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  /** Queued jobs in the order the engine will take them. */
  queued(): Job[] {
    return (this.#db.prepare(`SELECT * FROM jobs WHERE state = 'queued' ORDER BY ${ORDER_KEY}, rowid`).all() as JobRow[]).map(toJob);
  }

  /** Moves queued job `id` just before queued job `beforeId`, or to the end. */
  move(id: string, beforeId?: string): Job[] {
    return this.#db.transaction(() => {
      const rows = this.#db.prepare(`SELECT id, ${ORDER_KEY} AS key FROM jobs WHERE state = 'queued' ORDER BY ${ORDER_KEY}, rowid`).all() as { id: string; key: number }[];
      if (!rows.some((row) => row.id === id)) throw notQueued(id);
      const others = rows.filter((row) => row.id !== id);
      const index = beforeId === undefined ? others.length : others.findIndex((row) => row.id === beforeId);
      if (index < 0) throw notQueued(beforeId ?? '');
      const previous = others[index - 1]?.key;
      const next = others[index]?.key;
      const key = previous === undefined ? (next === undefined ? Date.now() : next - 1) : next === undefined ? previous + 1 : (previous + next) / 2;
      this.#db.prepare('UPDATE jobs SET queue_order = ? WHERE id = ?').run(key, id);
      return this.queued();
    })();
  }
}

function notQueued(id: string): StudioError {
  return new StudioError('invalid-request', { userMessage: `Job ${id} is not waiting in the queue any more (it started, ended or was removed).`, hint: 'The queue has been refreshed; try the move again.' });
}
