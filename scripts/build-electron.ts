// `npm run build:electron`: bundles the Electron main process and the preload from TypeScript, since Electron
// loads neither .ts nor our `.ts` import paths. Output: out/main/electron-main.js and out/main/engine-worker.js
// (ESM, shared code in out/main/chunks/, dependencies left to node_modules) and out/preload/preload.cjs (CommonJS with zod and the contract inlined: a sandboxed preload
// can require nothing but `electron`). The renderer keeps its own build (`npm run build`).
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron 45 runs Node 22 in main and in the preload. */
const TARGET = 'node22';
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export const electronBundles: Array<{ name: string; config: InlineConfig }> = [
  {
    name: 'main',
    config: {
      configFile: false,
      root: repoRoot,
      logLevel: 'warn',
      build: {
        ssr: true,
        target: TARGET,
        outDir: 'out/main',
        emptyOutDir: true,
        sourcemap: true,
        minify: false,
        rolldownOptions: {
          input: {
            'electron-main': path.join(repoRoot, 'src-main/electron/main.ts'),
            // Started by main.ts in a utility process (never on the main thread).
            'engine-worker': path.join(repoRoot, 'src-main/engine/worker/engine-worker.ts'),
          },
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
      // Every package stays external: production dependencies ship in the asar beside the bundle, and the
      // native ones (better-sqlite3, onnxruntime-node, sharp) cannot be bundled anyway.
      ssr: { target: 'node', external: true },
    },
  },
  {
    name: 'preload',
    config: {
      configFile: false,
      root: repoRoot,
      logLevel: 'warn',
      build: {
        ssr: true,
        target: TARGET,
        outDir: 'out/preload',
        emptyOutDir: true,
        sourcemap: false,
        minify: false,
        rolldownOptions: {
          input: { preload: path.join(repoRoot, 'src-preload/preload.ts') },
          external: ['electron', ...nodeBuiltins],
          output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
        },
      },
      ssr: { target: 'node', noExternal: true },
    },
  },
];

if (import.meta.main) {
  for (const bundle of electronBundles) {
    const started = Date.now();
    await build(bundle.config);
    console.log(`built ${bundle.name} in ${Date.now() - started} ms`);
  }
}
