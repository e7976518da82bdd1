// Opens the library database: WAL journal, foreign keys on, migrations applied up to the latest version.
import Database from 'better-sqlite3';
import { StudioError } from '../base/errors.ts';
import { LATEST_VERSION, MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/migration.ts';

export type LibraryDatabase = Database.Database;

/** Opens (creating if needed) the SQLite file and migrates it to `targetVersion` (the latest by default). */
export function openLibraryDatabase(file: string, targetVersion = LATEST_VERSION): LibraryDatabase {
  let db: LibraryDatabase;
  try {
    db = new Database(file);
  } catch (cause) {
    throw new StudioError('library.unopenable', {
      userMessage: `The library database ${file} cannot be opened: ${(cause as Error).message}.`,
      hint: 'Check that the library folder exists and is writable, or point FACEID_STUDIO_HOME at another folder.',
      cause,
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode keeps every committed transaction across a process crash (only an OS crash can lose the last ones).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, MIGRATIONS.slice(0, targetVersion));
  } catch (error) {
    db.close();
    if (error instanceof StudioError) throw error;
    throw new StudioError('library.unopenable', {
      userMessage: `The library database ${file} cannot be read: ${(error as Error).message}.`,
      hint: 'The file may be damaged or not a FaceID Studio library. Move it aside to start a new library.',
      cause: error,
    });
  }
  return db;
}

/** Applies every migration newer than the database's user_version, each in its own transaction. */
export function migrate(db: LibraryDatabase, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new StudioError('library.too-new', {
      userMessage: `This library was written by a newer FaceID Studio (library version ${current}; this version knows up to ${latest}).`,
      hint: 'Update FaceID Studio, or point FACEID_STUDIO_HOME at another folder.',
    });
  }
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

/**
 * SQLite failures a user can act on, as StudioErrors: the library locked by another studio process for longer than
 * busy_timeout, or the disk full. Anything else is returned unchanged (an internal error).
 */
export function explainDatabaseError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  if (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED')) {
    return new StudioError('library.busy', {
      userMessage: 'The library is busy: another FaceID Studio window or host is writing to it.',
      hint: 'Try again in a moment.',
      cause: error,
    });
  }
  if (error.code === 'SQLITE_FULL') {
    return new StudioError('library.unopenable', {
      userMessage: 'The disk holding the library is full; nothing was saved.',
      hint: 'Free some space, then try again.',
      cause: error,
    });
  }
  return error;
}
