// Builds the renderer (src-renderer) into dist/renderer, served by the studio host and loaded by the Electron window.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(root, 'src-renderer'),
  // Relative asset URLs, so the same build loads from the host and from a file/protocol URL in Electron.
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
