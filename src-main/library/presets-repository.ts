// User style presets; the built-in ones come from the contract and are never stored.
import { randomUUID } from 'node:crypto';
import { BUILTIN_STYLE_PRESETS, type StylePreset } from '../../src-preload/contract/presets.ts';
import { StudioError } from '../base/errors.ts';
import type { LibraryDatabase } from './db.ts';

interface PresetRow {
  id: string;
  name: string;
  template: string;
  negative: string;
  face_weight: number;
  structure: number;
  updated_at: number;
}

export type PresetInput = Pick<StylePreset, 'name' | 'template' | 'negative' | 'faceWeight' | 'structure'>;

function toPreset(row: PresetRow): StylePreset {
  return { id: row.id, name: row.name, template: row.template, negative: row.negative, faceWeight: row.face_weight, structure: row.structure, builtin: false, updatedAt: row.updated_at };
}

export class PresetsRepository {
  readonly #db: LibraryDatabase;

  constructor(db: LibraryDatabase) {
    this.#db = db;
  }

  /** Built-in presets in their fixed order, then the user's by name. */
  list(): StylePreset[] {
    const rows = this.#db.prepare('SELECT * FROM style_presets ORDER BY name COLLATE NOCASE, created_at').all() as PresetRow[];
    return [...BUILTIN_STYLE_PRESETS, ...rows.map(toPreset)];
  }

  /** Creates a preset, or changes the user preset `id`; a built-in id is saved as a new user preset (built-ins stay as shipped). */
  save(input: PresetInput & { id?: string | undefined }, now = Date.now()): StylePreset {
    const existing = input.id === undefined || input.id.startsWith('builtin:') ? undefined : this.#get(input.id);
    if (input.id !== undefined && !input.id.startsWith('builtin:') && existing === undefined) {
      throw new StudioError('library.not-found', { userMessage: `There is no style preset with id ${input.id}; it may have been deleted.`, hint: 'Save it as a new preset.' });
    }
    const id = existing?.id ?? randomUUID();
    this.#db
      .prepare(
        `INSERT INTO style_presets (id, name, template, negative, face_weight, structure, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, template = excluded.template, negative = excluded.negative,
           face_weight = excluded.face_weight, structure = excluded.structure, updated_at = excluded.updated_at`,
      )
      .run(id, input.name.trim(), input.template, input.negative, input.faceWeight, input.structure, now, now);
    return toPreset(this.#get(id)!);
  }

  delete(id: string): boolean {
    if (id.startsWith('builtin:')) {
      throw new StudioError('invalid-request', { userMessage: 'Built-in style presets cannot be deleted.', hint: 'Edit it and save your version as a new preset instead.' });
    }
    return this.#db.prepare('DELETE FROM style_presets WHERE id = ?').run(id).changes > 0;
  }

  #get(id: string): PresetRow | undefined {
    return this.#db.prepare('SELECT * FROM style_presets WHERE id = ?').get(id) as PresetRow | undefined;
  }
}
