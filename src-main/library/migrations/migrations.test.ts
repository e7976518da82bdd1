import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import { test } from 'node:test';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { StudioError } from '../../base/errors.ts';
import { openLibraryDatabase, type LibraryDatabase } from '../db.ts';
import { LATEST_VERSION, MIGRATIONS } from './index.ts';

// Rows a library at each version may hold; each migration must carry them forward intact.
const SAMPLE_ROWS: Record<number, (db: LibraryDatabase) => void> = {
  1: (db) => {
    db.prepare(`INSERT INTO characters (id, name, notes, created_at, updated_at) VALUES ('c1', 'Ada', '', 1, 1)`).run();
    db.prepare(`INSERT INTO reference_photos (id, character_id, sha256, file_name, mime_type, extension, size_bytes, width, height, created_at)
                VALUES ('r1', 'c1', ?, 'ada.jpg', 'image/jpeg', 'jpg', 10, 4, 4, 1)`).run('a'.repeat(64));
    db.prepare(`UPDATE characters SET cover_reference_id = 'r1' WHERE id = 'c1'`).run();
    db.prepare(`INSERT INTO settings (key, value_json) VALUES ('theme', '"light"')`).run();
  },
  2: (db) => {
    db.prepare(`INSERT INTO jobs (id, state, params_json, character_id, created_at) VALUES ('j1', 'done', '{}', 'c1', 2)`).run();
    db.prepare(`INSERT INTO generations (id, job_id, character_id, params_json, model, seed, width, height, image, created_at)
                VALUES ('g1', 'j1', 'c1', '{}', 'm', 5, 64, 64, 'generations/g1/g1.png', 2)`).run();
  },
  3: (db) => {
    db.prepare(`INSERT INTO style_presets (id, name, template, face_weight, structure, created_at, updated_at) VALUES ('p1', 'Mine', '{prompt}', 0.7, 1, 3, 3)`).run();
    db.prepare(`UPDATE jobs SET queue_order = 1.5 WHERE id = 'j1'`).run();
    assert.equal(db.prepare(`SELECT adapter FROM generations WHERE id = 'g1'`).pluck().get(), '');
  },
  4: (db) => {
    db.prepare(`UPDATE reference_photos SET chosen_face = 1 WHERE id = 'r1'`).run();
    assert.throws(() => db.prepare(`UPDATE reference_photos SET chosen_face = -1 WHERE id = 'r1'`).run());
  },
  5: (db) => {
    db.prepare(`UPDATE generations SET identity_score = 0.5, favorite = 1 WHERE id = 'g1'`).run();
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM generations WHERE character_id = 'c1' ORDER BY ifnull(identity_score, -2) DESC, created_at DESC, rowid DESC`).all();
    assert.ok(!JSON.stringify(plan).includes('TEMP B-TREE'), JSON.stringify(plan));
    assert.deepEqual(db.prepare(`SELECT id FROM generations WHERE character_id = 'c1' AND favorite = 1`).pluck().all(), ['g1']);
  },
  6: (db) => {
    assert.equal(db.prepare(`SELECT notes_json FROM jobs WHERE id = 'j1'`).pluck().get(), '[]');
    db.prepare(`UPDATE generations SET best_of_rank = 1, best_of_count = 4, best_of_kept = 1 WHERE id = 'g1'`).run();
    assert.throws(() => db.prepare(`UPDATE generations SET best_of_kept = 2 WHERE id = 'g1'`).run());
  },
};

function assertHealthy(db: LibraryDatabase): void {
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(db.pragma('foreign_key_check'), []);
}

test('migrations are numbered 1, 2, 3, … in order', () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
});

for (let from = 0; from < LATEST_VERSION; from++) {
  test(`migrates a version-${from} library to version ${LATEST_VERSION}, keeping its rows`, (t) => {
    const file = path.join(tempFolder(t), 'library.sqlite');
    const old = openLibraryDatabase(file, from);
    for (let version = 1; version <= from; version++) SAMPLE_ROWS[version]?.(old);
    old.close();

    const db = openLibraryDatabase(file);
    t.after(() => db.close());
    assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION);
    assertHealthy(db);
    if (from >= 1) assert.equal(db.prepare(`SELECT cover_reference_id FROM characters WHERE id = 'c1'`).pluck().get(), 'r1');
    // Every table of the latest schema is usable.
    for (let version = from + 1; version <= LATEST_VERSION; version++) SAMPLE_ROWS[version]?.(db);
    assertHealthy(db);
  });
}

test('every version has sample rows, so each migration is exercised with data', () => {
  for (const migration of MIGRATIONS) assert.ok(SAMPLE_ROWS[migration.version], `add SAMPLE_ROWS[${migration.version}]`);
});

test('refuses a library written by a newer version, leaving it untouched', (t) => {
  const file = path.join(tempFolder(t), 'library.sqlite');
  const db = openLibraryDatabase(file);
  db.pragma(`user_version = ${LATEST_VERSION + 1}`);
  db.close();
  assert.throws(() => openLibraryDatabase(file), (error) => error instanceof StudioError && error.code === 'library.too-new');
  const again = new Database(file, { readonly: true });
  t.after(() => again.close());
  assert.equal(again.pragma('user_version', { simple: true }), LATEST_VERSION + 1);
  assertHealthy(again);
});
