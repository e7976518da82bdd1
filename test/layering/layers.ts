// The layering of the code base, in one table: which top-level part each source file belongs to and which parts
// its production code may import. test/layering/layering.test.ts checks every source file against it in `npm test`.
//
// Test files (*.test.ts, *.test.tsx) are exempt from the table: they wire parts together on purpose and use
// test/helpers. They still count for the file-cycle check. Production code may never import test/, bench/ or
// scripts/: those parts are in no row.
import type { Layering } from './layering.ts';

export const studioLayering: Layering = {
  // The programs that read the sources (each file must be in one: a file no tsconfig includes is reported).
  projects: ['tsconfig.json', 'src-renderer/tsconfig.json'],
  sourceFolders: ['src-main', 'src-preload', 'src-renderer'],
  // First match wins, so the contract is carved out of src-preload before the rest of it.
  parts: [
    ['src-main/base/', 'base'],
    ['src-main/engine/', 'engine'],
    ['src-main/library/', 'library'],
    ['src-main/models/', 'models'],
    ['src-main/app/', 'app'],
    ['src-main/cli/', 'cli'],
    ['src-main/electron/', 'electron'],
    ['src-preload/contract/', 'contract'],
    ['src-preload/', 'preload'],
    ['src-renderer/', 'renderer'],
  ],
  mayImport: {
    // Shared by the renderer bundle and main: it imports nothing of the studio.
    contract: [],
    // The error vocabulary (ErrorCode, Failure) is the contract's, so the UI and main speak one language.
    base: ['contract'],
    // The engine knows nothing of studio paths, the library, the models folder or the environment: its host passes
    // EngineOptions in. From the contract it takes the generation vocabulary: GenerationParams (whose schema holds
    // the defaults the engine generates with) and the A1111 parameters / PNG text helpers its output files carry.
    engine: ['base', 'contract'],
    // Stores what the contract describes; never runs the engine.
    library: ['base', 'contract'],
    // Identifying a model file reads it with the engine's format readers (engine/io: safetensors, torch zip, ONNX),
    // and the offline self-test runs the engine's pipeline on tiny models.
    models: ['base', 'contract', 'engine'],
    // The composition root of the main process: builds the services and serves the contract.
    app: ['base', 'contract', 'engine', 'library', 'models'],
    // The two shells sit on top: nothing imports them.
    cli: ['base', 'contract', 'engine', 'library', 'models', 'app'],
    electron: ['base', 'contract', 'engine', 'library', 'models', 'app'],
    preload: ['contract'],
    // The renderer talks to main only through the contract.
    renderer: ['contract'],
  },
  // Environment variables are read in one place; the composition roots pass what it read down (StudioEnvironment).
  environmentReader: 'src-main/app/environment.ts',
  // File-level import cycles that are allowed, each with its reason. None today: keep it that way.
  allowedCycles: [],
};
