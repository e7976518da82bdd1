// Performance: every gallery filter × sort walks an index in order (no temporary sort of all matches), so a page costs
// the same at 100 or 100k generations. The identity order's expression matches generations_by_identity_order.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 5,
  name: 'gallery-sort-indexes',
  sql: `
    CREATE INDEX generations_by_character_identity ON generations (character_id, ifnull(identity_score, -2), created_at);
    CREATE INDEX generations_by_model_identity ON generations (model, ifnull(identity_score, -2), created_at);
    CREATE INDEX generations_by_adapter_identity ON generations (adapter, ifnull(identity_score, -2), created_at);
    CREATE INDEX generations_by_character_favorite ON generations (character_id, favorite, created_at);
  `,
};
