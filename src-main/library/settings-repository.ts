// Settings: one row per key, JSON values; anything not stored (or no longer valid) reads as its default.
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../src-preload/contract/settings.ts';
import type { LibraryDatabase } from './db.ts';

export class SettingsRepository {
  readonly #db: LibraryDatabase;

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  get(): Settings {
    const rows = this.#db.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const row of rows) {
      if (!Object.hasOwn(DEFAULT_SETTINGS, row.key)) continue;
      const field = SettingsSchema.shape[row.key as keyof Settings].safeParse(JSON.parse(row.value_json));
      if (field.success) settings[row.key] = field.data;
    }
    return SettingsSchema.parse(settings);
  }

  update(changes: Partial<Settings>): Settings {
    const upsert = this.#db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json');
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(changes)) if (value !== undefined) upsert.run(key, JSON.stringify(value));
    })();
    return this.get();
  }
}
