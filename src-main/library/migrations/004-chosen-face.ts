// Wiring: the face a user picked in a reference photo with several people (NULL: the largest face, as the face analysis picks).
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 4,
  name: 'chosen-face',
  sql: `
    ALTER TABLE reference_photos ADD COLUMN chosen_face INTEGER CHECK (chosen_face IS NULL OR chosen_face >= 0);
  `,
};
