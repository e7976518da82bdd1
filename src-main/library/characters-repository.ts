// Characters: rows in `characters`, with reference and generation counts and the cover thumbnail joined in.
import { randomUUID } from 'node:crypto';
import type { Character } from '../../src-preload/contract/characters.ts';
import { StudioError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';

interface CharacterRow {
  id: string;
  name: string;
  notes: string;
  cover_reference_id: string | null;
  cover_sha256: string | null;
  reference_count: number;
  generation_count: number;
  created_at: number;
  updated_at: number;
}

// The cover is the chosen reference, else the oldest one.
const SELECT_CHARACTERS = `
  SELECT c.id, c.name, c.notes, c.cover_reference_id, c.created_at, c.updated_at,
    (SELECT COUNT(*) FROM reference_photos r WHERE r.character_id = c.id) AS reference_count,
    (SELECT COUNT(*) FROM generations g WHERE g.character_id = c.id) AS generation_count,
    COALESCE(
      (SELECT r.sha256 FROM reference_photos r WHERE r.id = c.cover_reference_id),
      (SELECT r.sha256 FROM reference_photos r WHERE r.character_id = c.id ORDER BY r.created_at, r.rowid LIMIT 1)
    ) AS cover_sha256
  FROM characters c`;

function toCharacter(row: CharacterRow, thumbnailPath: (sha256: string) => string): Character {
  return {
    id: row.id,
    name: row.name,
    notes: row.notes,
    coverReferenceId: row.cover_reference_id,
    coverThumbnail: row.cover_sha256 === null ? null : thumbnailPath(row.cover_sha256),
    referenceCount: row.reference_count,
    generationCount: row.generation_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class CharactersRepository {
  readonly #db: LibraryDatabase;
  readonly #thumbnailPath: (sha256: string) => string;

  constructor(db: LibraryDatabase, thumbnailPath: (sha256: string) => string) {
    this.#db = db;
    this.#thumbnailPath = thumbnailPath;
  }

  list(): Character[] {
    const rows = this.#db.prepare(`${SELECT_CHARACTERS} ORDER BY c.name COLLATE NOCASE, c.created_at`).all() as CharacterRow[];
    return rows.map((row) => toCharacter(row, this.#thumbnailPath));
  }

  /** The character, or a `library.not-found` error naming the id. */
  get(id: string): Character {
    const row = this.#db.prepare(`${SELECT_CHARACTERS} WHERE c.id = ?`).get(id) as CharacterRow | undefined;
    if (row === undefined) throw notFound(id);
    return toCharacter(row, this.#thumbnailPath);
  }

  create(input: { name: string; notes: string }, now = Date.now()): Character {
    const id = randomUUID();
    this.#db.prepare('INSERT INTO characters (id, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, input.name, input.notes, now, now);
    return this.get(id);
  }

  update(id: string, changes: { name?: string | undefined; notes?: string | undefined; coverReferenceId?: string | null | undefined }, now = Date.now()): Character {
    const current = this.get(id);
    if (changes.coverReferenceId != null) {
      const owner = this.#db.prepare('SELECT character_id FROM reference_photos WHERE id = ?').pluck().get(changes.coverReferenceId);
      if (owner !== id) {
        throw new StudioError('library.not-found', {
          userMessage: `Reference ${changes.coverReferenceId} is not a photo of "${current.name}", so it cannot be its cover.`,
        });
      }
    }
    this.#db
      .prepare('UPDATE characters SET name = ?, notes = ?, cover_reference_id = ?, updated_at = ? WHERE id = ?')
      .run(changes.name ?? current.name, changes.notes ?? current.notes, changes.coverReferenceId === undefined ? current.coverReferenceId : changes.coverReferenceId, now, id);
    return this.get(id);
  }

  touch(id: string, now = Date.now()): void {
    this.#db.prepare('UPDATE characters SET updated_at = ? WHERE id = ?').run(now, id);
  }

  /** Deletes the row; references and face records go with it (ON DELETE CASCADE), generations are unlinked. */
  delete(id: string): void {
    const { changes } = this.#db.prepare('DELETE FROM characters WHERE id = ?').run(id);
    if (changes === 0) throw notFound(id);
  }
}

function notFound(id: string): StudioError {
  return new StudioError('library.not-found', {
    userMessage: `There is no character with id ${id}; it may have been deleted.`,
    hint: 'Reload the Characters page.',
  });
}
