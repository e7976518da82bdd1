// Loads catalog.json, validates it, and answers questions about it: an entry by id, and the full
// set of files a choice needs (the entry plus its dependencies, each once, dependencies first).
import { readFileSync } from 'node:fs';
import { StudioError } from '../base/errors.ts';
import { CatalogSchema, type Catalog, type CatalogEntry } from './catalog-schema.ts';
// Imported, not read from beside this file: the Electron bundle moves this module, and the bundler inlines the JSON.
import bundledCatalogJson from './catalog.json' with { type: 'json' };

/** The catalog that ships with the app, as written (unchecked: parse it with parseCatalogJson). */
export const bundledCatalog: unknown = bundledCatalogJson;

export class ModelCatalog {
  readonly entries: readonly CatalogEntry[];
  private readonly byId: ReadonlyMap<string, CatalogEntry>;

  constructor(catalog: Catalog) {
    this.entries = catalog.entries;
    const byId = new Map<string, CatalogEntry>();
    for (const entry of catalog.entries) {
      if (byId.has(entry.id)) throw invalid(`the id "${entry.id}" is used twice`);
      byId.set(entry.id, entry);
    }
    this.byId = byId;
    for (const entry of catalog.entries) {
      for (const dependency of entry.dependencies) {
        if (!byId.has(dependency)) throw invalid(`"${entry.id}" depends on "${dependency}", which is not in the catalog`);
      }
    }
    for (const entry of catalog.entries) this.withDependencies(entry.id); // throws on a cycle
  }

  get(id: string): CatalogEntry {
    const entry = this.byId.get(id);
    if (!entry) {
      throw new StudioError('model.unknown-id', {
        userMessage: `There is no model "${id}" in the catalog.`,
        hint: 'Run `faceid doctor` to list the models the studio knows.',
      });
    }
    return entry;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The entry and everything it needs, dependencies before dependents, each once. */
  withDependencies(id: string): CatalogEntry[] {
    const ordered: CatalogEntry[] = [];
    const done = new Set<string>();
    const visiting: string[] = [];
    const visit = (entryId: string): void => {
      if (done.has(entryId)) return;
      if (visiting.includes(entryId)) throw invalid(`dependency cycle: ${[...visiting, entryId].join(' → ')}`);
      visiting.push(entryId);
      const entry = this.get(entryId);
      for (const dependency of entry.dependencies) visit(dependency);
      visiting.pop();
      done.add(entryId);
      ordered.push(entry);
    };
    visit(id);
    return ordered;
  }
}

function invalid(what: string): StudioError {
  return new StudioError('model.catalog-invalid', {
    userMessage: `The model catalog is invalid: ${what}.`,
    hint: 'The catalog ships with the app; reinstall it, or fix the edited catalog file.',
  });
}

/** Parses catalog JSON text (from the bundled file or a user override) into a checked catalog. */
export function parseCatalog(text: string, source = 'catalog.json'): ModelCatalog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new StudioError('model.catalog-invalid', { userMessage: `${source} is not valid JSON: ${(cause as Error).message}.`, cause });
  }
  return parseCatalogJson(json, source);
}

/** Checks parsed catalog JSON against the schema and the dependency rules. */
export function parseCatalogJson(json: unknown, source = 'catalog.json'): ModelCatalog {
  const parsed = CatalogSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') : '';
    throw new StudioError('model.catalog-invalid', {
      userMessage: `${source} does not match the catalog schema at ${where || 'the top level'}: ${first?.message ?? 'unknown problem'}.`,
    });
  }
  return new ModelCatalog(parsed.data);
}

/** The bundled catalog, or the catalog file given (a user override). */
export function loadCatalog(file?: string): ModelCatalog {
  if (file === undefined) return parseCatalogJson(bundledCatalog, 'the bundled catalog.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StudioError('model.catalog-invalid', { userMessage: `The model catalog ${file} cannot be read: ${(cause as Error).message}.`, cause });
  }
  return parseCatalog(text, file);
}
