// The library: one folder holding library.sqlite and the content-addressed photo and image files.
// Operations that touch both the database and files live here, so each keeps the two consistent.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Reference } from '../../src-preload/contract/characters.ts';
import type { Generation } from '../../src-preload/contract/generations.ts';
import { StudioError } from '../base/errors.ts';
import { BlobStore, sha256Hex } from './blob-store.ts';
import { CharactersRepository } from './characters-repository.ts';
import { openLibraryDatabase, type LibraryDatabase } from './db.ts';
import { FacesRepository } from './faces-repository.ts';
import { GenerationsRepository, type NewGeneration } from './generations-repository.ts';
import { inspectImage } from './image-intake.ts';
import { JobsRepository } from './jobs-repository.ts';
import { lockLibrary } from './library-lock.ts';
import { ReferencesRepository } from './references-repository.ts';
import { SettingsRepository } from './settings-repository.ts';

export const DATABASE_FILE_NAME = 'library.sqlite';

export class Library {
  readonly folder: string;
  readonly db: LibraryDatabase;
  readonly blobs: BlobStore;
  readonly characters: CharactersRepository;
  readonly references: ReferencesRepository;
  readonly faces: FacesRepository;
  readonly generations: GenerationsRepository;
  readonly jobs: JobsRepository;
  readonly settings: SettingsRepository;
  /** How many jobs this start found `running` and recorded as interrupted. */
  readonly interruptedAtStart: number;
  readonly #unlock: () => void;

  /**
   * Opens the library in `folder` (created if missing) for this process alone, migrates it, and marks jobs a crash
   * left running as interrupted. Refuses (`library.busy`) while another running studio has it open.
   */
  constructor(folder: string) {
    this.folder = path.resolve(folder);
    try {
      mkdirSync(this.folder, { recursive: true });
    } catch (cause) {
      throw new StudioError('library.unopenable', {
        userMessage: `The library folder ${this.folder} cannot be created: ${(cause as Error).message}.`,
        hint: 'Choose a writable folder with FACEID_STUDIO_HOME.',
        cause,
      });
    }
    this.#unlock = lockLibrary(this.folder);
    try {
      this.db = openLibraryDatabase(path.join(this.folder, DATABASE_FILE_NAME));
    } catch (error) {
      this.#unlock();
      throw error;
    }
    this.blobs = new BlobStore(this.folder);
    this.characters = new CharactersRepository(this.db, (sha256) => this.blobs.thumbnailPath(sha256));
    this.references = new ReferencesRepository(this.db, this.blobs);
    this.faces = new FacesRepository(this.db);
    this.generations = new GenerationsRepository(this.db);
    this.jobs = new JobsRepository(this.db);
    this.settings = new SettingsRepository(this.db);
    this.interruptedAtStart = this.jobs.markRunningAsInterrupted();
  }

  /**
   * Adds a photo to a character: validated before anything is written, stored once per content hash,
   * refused as `library.duplicate` if this character already has the same bytes.
   */
  async addReference(characterId: string, fileName: string, bytes: Buffer): Promise<Reference> {
    const character = this.characters.get(characterId);
    const sha256 = sha256Hex(bytes);
    const existing = this.references.findByHash(characterId, sha256);
    if (existing !== undefined) throw duplicate(fileName, existing, character.name);
    const image = await inspectImage(bytes, fileName);
    // Files first, row second: a crash in between leaves an unused file, never a row without its file.
    this.blobs.write(this.blobs.referencePath(sha256, image.extension), bytes);
    this.blobs.write(this.blobs.thumbnailPath(sha256), image.thumbnail);
    return this.db.transaction(() => {
      // Checked again inside the transaction: another add of the same bytes may have finished while we decoded.
      const raced = this.references.findByHash(characterId, sha256);
      if (raced !== undefined) throw duplicate(fileName, raced, character.name);
      const reference = this.references.insert({ characterId, sha256, fileName, mimeType: image.mimeType, extension: image.extension, sizeBytes: bytes.length, width: image.width, height: image.height });
      this.characters.touch(characterId);
      return reference;
    })();
  }

  /** Removes a reference photo; its files go too unless another character uses the same bytes. */
  removeReference(id: string): Reference {
    const reference = this.references.get(id);
    this.db.transaction(() => {
      this.references.delete(id);
      this.characters.touch(reference.characterId);
    })();
    this.#removeFilesIfUnused(reference.sha256, reference.original);
    return reference;
  }

  /** Deletes a character and its reference photos; its generated images are kept (unlinked) or deleted, as the user chose. */
  deleteCharacter(id: string, keepGeneratedImages: boolean): { deletedGenerations: number } {
    this.characters.get(id);
    const photos = this.references.hashesOfCharacter(id);
    const deletedImages = this.db.transaction(() => {
      const images = keepGeneratedImages ? [] : this.generations.delete(this.generations.idsOfCharacter(id));
      this.characters.delete(id);
      return images;
    })();
    for (const image of deletedImages) this.blobs.remove(image);
    for (const photo of photos) this.#removeFilesIfUnused(photo.sha256, this.blobs.referencePath(photo.sha256, photo.extension));
    return { deletedGenerations: deletedImages.length };
  }

  /** Stores a finished image: the PNG is written (atomically) before its row, so a row never lacks its file. */
  recordGeneration(input: NewGeneration & { png: Buffer }): Generation {
    const id = randomUUID();
    this.blobs.write(GenerationsRepository.imagePath(id), input.png);
    return this.generations.insert({ ...input, id });
  }

  /** Deletes generations and their image files. */
  deleteGenerations(ids: readonly string[]): number {
    const images = this.db.transaction(() => this.generations.delete(ids))();
    for (const image of images) this.blobs.remove(image);
    return images.length;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.#unlock();
  }

  #removeFilesIfUnused(sha256: string, original: string): void {
    if (this.references.countUsing(sha256) > 0) return;
    this.blobs.remove(original);
    this.blobs.remove(this.blobs.thumbnailPath(sha256));
  }
}

function duplicate(fileName: string, existing: Reference, characterName: string): StudioError {
  return new StudioError('library.duplicate', {
    userMessage: `${fileName} is already a reference photo of "${characterName}" (the same picture as ${existing.fileName}).`,
    hint: 'Nothing was added. Choose a different photo.',
  });
}
