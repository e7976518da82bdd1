// Best-of-N jobs keep each image's ranking by identity score (and whether it was kept or is a rejected one kept on
// request); jobs carry notes for the user (a face pass skipped, an original kept because the pass lowered the score).
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 6,
  name: 'best-of-and-job-notes',
  sql: `
    ALTER TABLE generations ADD COLUMN best_of_rank INTEGER;
    ALTER TABLE generations ADD COLUMN best_of_count INTEGER;
    ALTER TABLE generations ADD COLUMN best_of_kept INTEGER CHECK (best_of_kept IN (0, 1));
    ALTER TABLE jobs ADD COLUMN notes_json TEXT NOT NULL DEFAULT '[]';
  `,
};
