// Every migration in order. Add a file `NNN-what-it-does.ts` and list it here; never edit one that has shipped.
import { migration as initial } from './001-initial.ts';
import { migration as generationsAndJobs } from './002-generations-and-jobs.ts';
import { migration as presetsGalleryQueue } from './003-presets-gallery-queue.ts';
import { migration as chosenFace } from './004-chosen-face.ts';
import { migration as gallerySortIndexes } from './005-gallery-sort-indexes.ts';
import { migration as bestOfAndJobNotes } from './006-best-of-and-job-notes.ts';
import type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [initial, generationsAndJobs, presetsGalleryQueue, chosenFace, gallerySortIndexes, bestOfAndJobNotes];
export const LATEST_VERSION = MIGRATIONS.length;
