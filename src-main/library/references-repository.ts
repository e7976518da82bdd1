// Reference photos: rows in `reference_photos`; their bytes and thumbnails live in the blob store, shared by hash.
import { randomUUID } from 'node:crypto';
import type { Reference } from '../../src-preload/contract/characters.ts';
import { StudioError } from '../base/errors.ts';
import type { BlobStore } from './blob-store.ts';
import type { LibraryDatabase } from './db.ts';

interface ReferenceRow {
  id: string;
  character_id: string;
  sha256: string;
  file_name: string;
  mime_type: string;
  extension: string;
  size_bytes: number;
  width: number;
  height: number;
  faces_analyzed_at: number | null;
  face_count: number;
  created_at: number;
}

export interface NewReference {
  characterId: string;
  sha256: string;
  fileName: string;
  mimeType: string;
  extension: string;
  sizeBytes: number;
  width: number;
  height: number;
}

const SELECT_REFERENCES = `
  SELECT r.*, (SELECT COUNT(*) FROM reference_faces f WHERE f.reference_id = r.id) AS face_count
  FROM reference_photos r`;

export class ReferencesRepository {
  readonly #db: LibraryDatabase;
  readonly #blobs: BlobStore;

  constructor(db: LibraryDatabase, blobs: BlobStore) {
    this.#db = db;
    this.#blobs = blobs;
  }

  #toReference(row: ReferenceRow): Reference {
    return {
      id: row.id,
      characterId: row.character_id,
      sha256: row.sha256,
      fileName: row.file_name,
      mimeType: row.mime_type,
      sizeBytes: row.size_bytes,
      width: row.width,
      height: row.height,
      original: this.#blobs.referencePath(row.sha256, row.extension),
      thumbnail: this.#blobs.thumbnailPath(row.sha256),
      faceCount: row.faces_analyzed_at === null ? null : row.face_count,
      createdAt: row.created_at,
    };
  }

  listForCharacter(characterId: string): Reference[] {
    const rows = this.#db.prepare(`${SELECT_REFERENCES} WHERE r.character_id = ? ORDER BY r.created_at, r.rowid`).all(characterId) as ReferenceRow[];
    return rows.map((row) => this.#toReference(row));
  }

  get(id: string): Reference {
    const row = this.#db.prepare(`${SELECT_REFERENCES} WHERE r.id = ?`).get(id) as ReferenceRow | undefined;
    if (row === undefined) {
      throw new StudioError('library.not-found', { userMessage: `There is no reference photo with id ${id}; it may have been removed.`, hint: 'Reload the character page.' });
    }
    return this.#toReference(row);
  }

  /** The reference of this character with these bytes, if it has one already. */
  findByHash(characterId: string, sha256: string): Reference | undefined {
    const row = this.#db.prepare(`${SELECT_REFERENCES} WHERE r.character_id = ? AND r.sha256 = ?`).get(characterId, sha256) as ReferenceRow | undefined;
    return row === undefined ? undefined : this.#toReference(row);
  }

  insert(input: NewReference, now = Date.now()): Reference {
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO reference_photos (id, character_id, sha256, file_name, mime_type, extension, size_bytes, width, height, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.characterId, input.sha256, input.fileName, input.mimeType, input.extension, input.sizeBytes, input.width, input.height, now);
    return this.get(id);
  }

  delete(id: string): void {
    this.#db.prepare('DELETE FROM reference_photos WHERE id = ?').run(id);
  }

  exists(id: string): boolean {
    return this.#db.prepare('SELECT 1 FROM reference_photos WHERE id = ?').get(id) !== undefined;
  }

  /** The face the user picked in this photo, or null for the analysis's default (the largest face). */
  chosenFace(id: string): number | null {
    const row = this.#db.prepare('SELECT chosen_face FROM reference_photos WHERE id = ?').get(id) as { chosen_face: number | null } | undefined;
    if (row === undefined) this.get(id);
    return row?.chosen_face ?? null;
  }

  setChosenFace(id: string, faceIndex: number | null): void {
    this.#db.prepare('UPDATE reference_photos SET chosen_face = ? WHERE id = ?').run(faceIndex, id);
  }

  /** How many reference rows (of any character) still point at these bytes. */
  countUsing(sha256: string): number {
    return this.#db.prepare('SELECT COUNT(*) FROM reference_photos WHERE sha256 = ?').pluck().get(sha256) as number;
  }

  /** Media paths of every photo of a character: to remove the files no other character shares after a delete. */
  hashesOfCharacter(characterId: string): { sha256: string; extension: string }[] {
    return this.#db.prepare('SELECT DISTINCT sha256, extension FROM reference_photos WHERE character_id = ?').all(characterId) as { sha256: string; extension: string }[];
  }
}
