// Jobs: every generation request and its outcome. Jobs left `running` by a crash become `interrupted` at the next start.
import { randomUUID } from 'node:crypto';
import type { Failure } from '../../src-preload/contract/errors.ts';
import { GenerationParamsSchema, type GenerationParams, type JobState } from '../../src-preload/contract/generation.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import { FailureSchema } from '../../src-preload/contract/errors.ts';
import { StudioError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';

export interface JobRow {
  id: string;
  state: JobState;
  params_json: string;
  character_id: string | null;
  parent_id: string | null;
  step: number;
  total_steps: number;
  error_json: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  notes_json: string;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    state: row.state,
    params: GenerationParamsSchema.parse(JSON.parse(row.params_json)),
    characterId: row.character_id,
    parentId: row.parent_id,
    step: row.step,
    totalSteps: row.total_steps,
    error: row.error_json === null ? null : FailureSchema.parse(JSON.parse(row.error_json)),
    notes: JSON.parse(row.notes_json) as string[],
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export class JobsRepository {
  readonly #db: LibraryDatabase;

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  enqueue(input: { params: GenerationParams; characterId?: string | undefined; parentId?: string | undefined }, now = Date.now()): Job {
    const id = randomUUID();
    this.#db
      .prepare(`INSERT INTO jobs (id, state, params_json, character_id, parent_id, total_steps, created_at) VALUES (?, 'queued', ?, ?, ?, ?, ?)`)
      .run(id, JSON.stringify(input.params), input.characterId ?? null, input.parentId ?? null, input.params.steps, now);
    return this.get(id);
  }

  get(id: string): Job {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (row === undefined) throw new StudioError('library.not-found', { userMessage: `There is no job with id ${id}.`, hint: 'Reload the Queue page.' });
    return toJob(row);
  }

  /** Newest first; optionally only jobs in the given states. */
  list(options: { states?: readonly JobState[] | undefined; limit: number }): Job[] {
    const states = options.states ?? [];
    const where = states.length > 0 ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    const rows = this.#db.prepare(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(...states, options.limit) as JobRow[];
    return rows.map(toJob);
  }

  /** The first queued job in queue order (oldest first unless the user moved jobs): the next one the engine should run. */
  nextQueued(): Job | undefined {
    const row = this.#db.prepare(`SELECT * FROM jobs WHERE state = 'queued' ORDER BY ifnull(queue_order, created_at), rowid LIMIT 1`).get() as JobRow | undefined;
    return row === undefined ? undefined : toJob(row);
  }

  markRunning(id: string, now = Date.now()): Job {
    this.#transition(id, ['queued'], 'running', `state = 'running', started_at = ?`, now);
    return this.get(id);
  }

  recordProgress(id: string, step: number): void {
    this.#db.prepare(`UPDATE jobs SET step = ? WHERE id = ? AND state = 'running'`).run(step, id);
  }

  /** Adds notes for the user to a job (shown with it in the queue). */
  addNotes(id: string, notes: readonly string[]): void {
    if (notes.length === 0) return;
    const job = this.get(id);
    this.#db.prepare('UPDATE jobs SET notes_json = ? WHERE id = ?').run(JSON.stringify([...job.notes, ...notes]), id);
  }

  /** Ends a job: done, failed (with its error), cancelled or interrupted. */
  finish(id: string, state: Exclude<JobState, 'queued' | 'running'>, error: Failure | null = null, now = Date.now()): Job {
    this.#transition(id, ['queued', 'running'], state, `state = ?, error_json = ?, finished_at = ?`, state, error === null ? null : JSON.stringify(error), now);
    return this.get(id);
  }

  /** At startup: every job still `running` was cut off by a crash or a kill, so it is recorded as interrupted. */
  markRunningAsInterrupted(now = Date.now()): number {
    return this.#db.prepare(`UPDATE jobs SET state = 'interrupted', finished_at = ? WHERE state = 'running'`).run(now).changes;
  }

  #transition(id: string, from: readonly JobState[], target: JobState, assignments: string, ...values: unknown[]): void {
    const { changes } = this.#db
      .prepare(`UPDATE jobs SET ${assignments} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`)
      .run(...values, id, ...from);
    if (changes === 0) {
      const job = this.get(id);
      throw new StudioError('invalid-request', {
        userMessage: `Job ${id} is ${job.state}; it cannot become ${target}.`,
      });
    }
  }
}
