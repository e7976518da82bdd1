// `npm run lint:electron`: electronegativity (Doyensec's Electron security checker) over everything that runs
// in Electron's main process and preload. Policy, stricter than the tool's own `eng-disable` comments:
//   - any HIGH finding fails, explained or not;
//   - a MEDIUM or LOW finding passes only when its line says `eng-disable <CHECK_ID>` with the reason in the
//     comment above it; a global finding (no line) passes only when some scanned file explains it that way;
//   - INFORMATIONAL findings are printed.
// The tool runs on a copy in which `eng-disable` is neutralised, so it reports everything and this script
// decides; it never reaches the network (its translation download is answered "offline").
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// electronegativity parses TypeScript with @typescript-eslint/typescript-estree 4, which needs the TypeScript 4
// compiler API; npm hoists it beside the project's TypeScript 7 (no compiler API), so its `require('typescript')`
// is pointed at the TypeScript 4.2 electronegativity depends on. It also fetches translations and Electron's
// release list from GitHub on every run; its `got` is answered with an immediate failure, so it uses its
// bundled English and skips the release check (we scan no package.json, which is what that check reads).
const electronegativityRoot = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
const typescript4 = pathToFileURL(createRequire(path.join(electronegativityRoot, 'package.json')).resolve('typescript')).href;
const OFFLINE_GOT = 'faceid-offline:got';
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'typescript' && context.parentURL?.includes('/@typescript-eslint/')) {
      return { url: typescript4, format: 'commonjs', shortCircuit: true };
    }
    if (specifier === 'got' && context.parentURL?.includes('/@doyensec/electronegativity/dist/')) {
      return { url: OFFLINE_GOT, format: 'commonjs', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (url === OFFLINE_GOT) {
      return { format: 'commonjs', source: 'module.exports = () => Promise.reject(new Error("offline"));', shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});

/** What is scanned: the Electron main-process code, its IPC binding and the preload with its contract (tests excluded). */
export const SCANNED_FOLDERS = ['src-main/electron', 'src-main/app/ipc.ts', 'src-preload'];

export type Severity = 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

export interface ElectronFinding {
  id: string;
  /** Relative to the repo; `N/A` for a global finding. */
  file: string;
  line: number;
  severity: Severity;
  description: string;
  verdict: 'fails' | 'explained' | 'informational';
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number };
  severity: { name: Severity };
  description: string;
}

type Run = (options: object) => Promise<{ issues: RawIssue[]; errors: Array<{ file: string; message: string; tolerable: boolean }> }>;

function sourceFiles(root: string, folder: string): string[] {
  if (statSync(path.join(root, folder)).isFile()) return [folder];
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(folder, name))
    .filter((file) => /\.(ts|tsx|js|cjs|mjs|html)$/.test(file) && !/\.test\.ts$/.test(file) && statSync(path.join(root, file)).isFile());
}

/** True when `line` carries `eng-disable <id>` and the line above it is a comment giving the reason. */
function isExplainedAt(lines: readonly string[], lineNumber: number, id: string): boolean {
  const line = lines[lineNumber - 1] ?? '';
  const above = lines[lineNumber - 2] ?? '';
  return new RegExp(`eng-disable\\s+${id}\\b`).test(line) && /^\s*(\/\/|\*|\/\*)/.test(above);
}

/** Scans `folders` under `root` (by default the Electron sources) and applies the policy above. */
export async function lintElectron(
  root = repoRoot,
  folders = SCANNED_FOLDERS,
): Promise<{ findings: ElectronFinding[]; parseErrors: string[]; scannedFiles: string[] }> {
  const files = folders.flatMap((folder) => sourceFiles(root, folder));
  const copy = mkdtempSync(path.join(os.tmpdir(), 'faceid-electronegativity-'));
  try {
    for (const file of files) {
      cpSync(path.join(root, file), path.join(copy, file));
      writeFileSync(path.join(copy, file), readFileSync(path.join(root, file), 'utf8').replaceAll('eng-disable', 'eng-explained'));
    }
    const imported = require('@doyensec/electronegativity') as Run | { default: Run };
    const run = typeof imported === 'function' ? imported : imported.default;
    const log = console.log;
    console.log = () => {}; // it prints a line about translations on every run
    let result: Awaited<ReturnType<Run>>;
    try {
      result = await run({ input: copy, isRelative: true, electronVersionOverride: (require('electron/package.json') as { version: string }).version });
    } finally {
      console.log = log;
    }
    const linesOf = new Map(files.map((file) => [file, readFileSync(path.join(root, file), 'utf8').split('\n')]));
    const findings = result.issues.map((issue): ElectronFinding => {
      const file = issue.file === 'N/A' ? 'N/A' : issue.file;
      const severity = issue.severity.name;
      const lines = linesOf.get(file);
      const explained =
        lines !== undefined
          ? isExplainedAt(lines, issue.location.line, issue.id)
          : [...linesOf.values()].some((fileLines) => fileLines.some((_, index) => isExplainedAt(fileLines, index + 1, issue.id)));
      const verdict = severity === 'HIGH' ? 'fails' : severity === 'INFORMATIONAL' ? 'informational' : explained ? 'explained' : 'fails';
      return { id: issue.id, file, line: issue.location.line, severity, description: issue.description, verdict };
    });
    const parseErrors = result.errors.filter((error) => !error.tolerable).map((error) => `${error.file}: ${error.message}`);
    return { findings, parseErrors, scannedFiles: files };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { findings, parseErrors, scannedFiles } = await lintElectron();
  for (const error of parseErrors) console.log(`PARSE ERROR  ${error}`);
  for (const finding of findings) {
    console.log(`${finding.verdict.padEnd(13)} ${finding.severity.padEnd(13)} ${finding.id.padEnd(40)} ${finding.file}:${finding.line}  ${finding.description}`);
  }
  const failing = findings.filter((finding) => finding.verdict === 'fails').length + parseErrors.length;
  console.log(`electronegativity: ${scannedFiles.length} files, ${findings.length} findings, ${failing} failing`);
  process.exit(failing === 0 ? 0 : 1);
}
