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
