// Characters, their reference photos (content-addressed files), per-photo face records, and settings.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE characters (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      notes TEXT NOT NULL DEFAULT '',
      cover_reference_id TEXT REFERENCES reference_photos(id) ON DELETE SET NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    -- The photo's bytes live in references/<sha[0:2]>/<sha>.<extension>; one file however many characters use it.
    CREATE TABLE reference_photos (
      id TEXT PRIMARY KEY,
      character_id TEXT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      file_name TEXT NOT NULL,
      mime_type TEXT NOT NULL,
      extension TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      -- When face analysis last ran on this photo; NULL means not yet (its face count is unknown).
      faces_analyzed_at INTEGER,
      created_at INTEGER NOT NULL,
      UNIQUE (character_id, sha256)
    );
    CREATE INDEX reference_photos_by_character ON reference_photos (character_id, created_at);
    CREATE INDEX reference_photos_by_sha256 ON reference_photos (sha256);

    -- One row per face found in a reference photo; the embedding is 512 float32 values (2048 bytes, little-endian).
    CREATE TABLE reference_faces (
      id TEXT PRIMARY KEY,
      reference_id TEXT NOT NULL REFERENCES reference_photos(id) ON DELETE CASCADE,
      face_index INTEGER NOT NULL,
      box_json TEXT NOT NULL,
      landmarks_json TEXT NOT NULL,
      detection_score REAL NOT NULL,
      embedding BLOB CHECK (embedding IS NULL OR length(embedding) = 2048),
      embedding_model TEXT,
      created_at INTEGER NOT NULL,
      UNIQUE (reference_id, face_index)
    );

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL
    );
  `,
};
