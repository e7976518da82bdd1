// Files that ship with the app, under assets/: found from this module's place, which is src-main/base/ when run
// from sources, and out/main/ or out/main/chunks/ once bundled (inside app.asar in a packaged app).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's own folder: the nearest one above this module that holds package.json (the checkout, or app.asar). */
function appRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let folder = start; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`No package.json above ${start}: the app's files are incomplete.`);
  }
}

/**
 * openai/clip-vit-large-patch14's tokenizer (vocab.json + merges.txt, MIT), the BPE table of SD1.5's and SDXL's text
 * encoders: single-file checkpoints do not carry it, so the app ships it rather than asking for a download.
 */
export const bundledTokenizerFolder = path.join(appRoot(), 'assets', 'tokenizer', 'clip-vit-large-patch14');
