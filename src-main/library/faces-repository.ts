// Faces found in reference photos: box, landmarks, score and the 512-d embedding (float32 little-endian BLOB) with
// the id of the model that made it, so embeddings from another recognizer are never mixed in.
import { randomUUID } from 'node:crypto';
import { BugError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';

export const EMBEDDING_LENGTH = 512;

export interface FaceRecord {
  /** [x, y, width, height] in pixels of the EXIF-oriented photo. */
  box: [number, number, number, number];
  /** Five [x, y] points (eyes, nose, mouth corners), as the detector orders them. */
  landmarks: [number, number][];
  detectionScore: number;
  embedding: Float32Array | null;
  /** Which recognizer produced the embedding, e.g. `insightface/w600k_r50@<sha256>`. */
  embeddingModel: string | null;
}

export interface StoredFace extends FaceRecord {
  id: string;
  referenceId: string;
  faceIndex: number;
}

interface FaceRow {
  id: string;
  reference_id: string;
  face_index: number;
  box_json: string;
  landmarks_json: string;
  detection_score: number;
  embedding: Buffer | null;
  embedding_model: string | null;
}

function embeddingToBlob(embedding: Float32Array): Buffer {
  if (embedding.length !== EMBEDDING_LENGTH) throw new BugError(`a face embedding has ${EMBEDDING_LENGTH} values, not ${embedding.length}`);
  const blob = Buffer.alloc(EMBEDDING_LENGTH * 4);
  embedding.forEach((value, i) => blob.writeFloatLE(value, i * 4));
  return blob;
}

function blobToEmbedding(blob: Buffer): Float32Array {
  const embedding = new Float32Array(EMBEDDING_LENGTH);
  for (let i = 0; i < EMBEDDING_LENGTH; i++) embedding[i] = blob.readFloatLE(i * 4);
  return embedding;
}

function toFace(row: FaceRow): StoredFace {
  return {
    id: row.id,
    referenceId: row.reference_id,
    faceIndex: row.face_index,
    box: JSON.parse(row.box_json) as FaceRecord['box'],
    landmarks: JSON.parse(row.landmarks_json) as FaceRecord['landmarks'],
    detectionScore: row.detection_score,
    embedding: row.embedding === null ? null : blobToEmbedding(row.embedding),
    embeddingModel: row.embedding_model,
  };
}

export class FacesRepository {
  readonly #db: LibraryDatabase;

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  /** Replaces the faces of a reference with a new analysis (possibly none found) and marks it analysed. */
  replaceForReference(referenceId: string, faces: readonly FaceRecord[], now = Date.now()): StoredFace[] {
    const insert = this.#db.prepare(
      `INSERT INTO reference_faces (id, reference_id, face_index, box_json, landmarks_json, detection_score, embedding, embedding_model, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM reference_faces WHERE reference_id = ?').run(referenceId);
      faces.forEach((face, index) =>
        insert.run(randomUUID(), referenceId, index, JSON.stringify(face.box), JSON.stringify(face.landmarks), face.detectionScore,
          face.embedding === null ? null : embeddingToBlob(face.embedding), face.embeddingModel, now),
      );
      this.#db.prepare('UPDATE reference_photos SET faces_analyzed_at = ? WHERE id = ?').run(now, referenceId);
    })();
    return this.listForReference(referenceId);
  }

  listForReference(referenceId: string): StoredFace[] {
    return (this.#db.prepare('SELECT * FROM reference_faces WHERE reference_id = ? ORDER BY face_index').all(referenceId) as FaceRow[]).map(toFace);
  }

  /** Every face of a character's photos that has an embedding from `embeddingModel`, oldest photo first. */
  embeddedFacesOfCharacter(characterId: string, embeddingModel: string): StoredFace[] {
    const rows = this.#db
      .prepare(
        `SELECT f.* FROM reference_faces f JOIN reference_photos r ON r.id = f.reference_id
         WHERE r.character_id = ? AND f.embedding IS NOT NULL AND f.embedding_model = ?
         ORDER BY r.created_at, r.rowid, f.face_index`,
      )
      .all(characterId, embeddingModel) as FaceRow[];
    return rows.map(toFace);
  }
}
