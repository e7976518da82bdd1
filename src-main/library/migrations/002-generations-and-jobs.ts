// Jobs (every generation request and its outcome) and generations (every image, with the columns the gallery filters on).
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 2,
  name: 'generations-and-jobs',
  sql: `
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      params_json TEXT NOT NULL,
      character_id TEXT REFERENCES characters(id) ON DELETE SET NULL,
      parent_id TEXT REFERENCES generations(id) ON DELETE SET NULL,
      step INTEGER NOT NULL DEFAULT 0,
      total_steps INTEGER NOT NULL DEFAULT 0,
      error_json TEXT,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    );
    CREATE INDEX jobs_by_state ON jobs (state, created_at);
    CREATE INDEX jobs_by_created ON jobs (created_at);

    CREATE TABLE generations (
      id TEXT PRIMARY KEY,
      job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      character_id TEXT REFERENCES characters(id) ON DELETE SET NULL,
      parent_id TEXT REFERENCES generations(id) ON DELETE SET NULL,
      params_json TEXT NOT NULL,
      model TEXT NOT NULL,
      seed INTEGER NOT NULL,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      -- Media path of the image under the library folder (generations/<id[0:2]>/<id>.png).
      image TEXT NOT NULL,
      favorite INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)),
      identity_score REAL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX generations_by_created ON generations (created_at);
    CREATE INDEX generations_by_character ON generations (character_id, created_at);
    CREATE INDEX generations_by_model ON generations (model, created_at);
    CREATE INDEX generations_by_seed ON generations (seed);
    CREATE INDEX generations_by_favorite ON generations (favorite, created_at);
    CREATE INDEX generations_by_identity ON generations (identity_score);
    CREATE INDEX generations_by_parent ON generations (parent_id);
    CREATE INDEX generations_by_job ON generations (job_id);
  `,
};
