// Studio UI: user style presets; the gallery's adapter filter and identity sort indexed; a queue order users can change.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 3,
  name: 'presets-gallery-queue',
  sql: `
    CREATE TABLE style_presets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      template TEXT NOT NULL,
      negative TEXT NOT NULL DEFAULT '',
      face_weight REAL NOT NULL,
      structure REAL NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    -- The FaceID adapter file decides the variant; '' for generations made without FaceID. Virtual, so old rows have it too.
    ALTER TABLE generations ADD COLUMN adapter TEXT GENERATED ALWAYS AS (ifnull(json_extract(params_json, '$.faceid.adapter'), '')) VIRTUAL;
    CREATE INDEX generations_by_adapter ON generations (adapter, created_at);
    -- The gallery's "best identity first" order: unmeasured rows last, ties newest first; keyset pages walk this index.
    CREATE INDEX generations_by_identity_order ON generations (ifnull(identity_score, -2), created_at);
    CREATE INDEX generations_by_favorite_identity ON generations (favorite, ifnull(identity_score, -2), created_at);

    -- Queued jobs run by queue_order (NULL: by created_at); moving a job gives it a key between its new neighbours.
    ALTER TABLE jobs ADD COLUMN queue_order REAL;
  `,
};
