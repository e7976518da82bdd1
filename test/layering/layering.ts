// Checks a code base against a layering table (test/layering/layers.ts): every import of every source file, read by
// the TypeScript compiler (import, import type, export … from, import(), import('x').T types), must go to a part its
// file's part may import; no file reads process.env but the one environment reader; and the import graph has no
// cycles, between parts or between files, beyond an allow-list.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';

export interface Layering {
  /** tsconfig files, relative to the root, whose programs together hold every source file. */
  readonly projects: readonly string[];
  /** Folders, relative to the root, whose .ts/.tsx files are checked. */
  readonly sourceFolders: readonly string[];
  /** [path prefix, part], first match wins. */
  readonly parts: readonly (readonly [string, string])[];
  /** For each part, the other parts its production files may import. */
  readonly mayImport: Readonly<Record<string, readonly string[]>>;
  /** The one production file that may read process.env. */
  readonly environmentReader: string;
  /** File cycles that are allowed: the cycle's files (any order) and why. */
  readonly allowedCycles: readonly { readonly files: readonly string[]; readonly why: string }[];
}

/** What the checker needs of one source file; paths relative to the root, with forward slashes. */
export interface SourceFacts {
  readonly file: string;
  /** Resolved targets of the file's relative imports (package imports are not part of the layering). */
  readonly imports: readonly string[];
  readonly readsEnvironment: boolean;
}

export interface LayeringReport {
  /** `file → target: part may not import part`, and files outside every program. */
  readonly violations: readonly string[];
  /** Each cycle as its members joined by ' → '. */
  readonly partCycles: readonly string[];
  readonly fileCycles: readonly string[];
}

const isTest = (file: string): boolean => /\.test\.tsx?$/.test(file);
const posix = (file: string): string => file.split(path.sep).join('/');

function listSources(root: string, folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => posix(path.relative(root, path.join(entry.parentPath, entry.name))));
}

function readsProcessEnv(node: Node): boolean {
  if (node.kind === SyntaxKind.PropertyAccessExpression) {
    const access = node as Node & { expression: Node & { text?: string }; name: Node & { text?: string } };
    if (access.expression.kind === SyntaxKind.Identifier && access.expression.text === 'process' && access.name.text === 'env') return true;
  }
  return node.forEachChild((child) => readsProcessEnv(child) || undefined) ?? false;
}

/** Reads every source file under the layering's folders with the TypeScript compiler (one tsgo process). */
export function readSources(root: string, layering: Layering): { sources: SourceFacts[]; unread: string[] } {
  const api = new API({ cwd: root });
  try {
    const programs = api.updateSnapshot({ openProjects: layering.projects.map((p) => path.join(root, p)) }).getProjects().map((p) => p.program);
    const sources: SourceFacts[] = [];
    const unread: string[] = [];
    for (const file of layering.sourceFolders.flatMap((folder) => listSources(root, folder))) {
      const absolute = path.join(root, file);
      const parsed = programs.map((program) => program.getSourceFile(absolute)).find((s): s is SourceFile => s !== undefined);
      if (parsed === undefined) {
        unread.push(file);
        continue;
      }
      const specifiers = parsed.imports.map((i) => (i as Node & { text: string }).text).filter((s) => s.startsWith('.'));
      sources.push({ file, imports: specifiers.map((s) => posix(path.relative(root, path.resolve(path.dirname(absolute), s)))), readsEnvironment: readsProcessEnv(parsed) });
    }
    return { sources, unread };
  } finally {
    api.close();
  }
}

function partOf(layering: Layering, file: string): string {
  return layering.parts.find(([prefix]) => file.startsWith(prefix))?.[1] ?? `${file.split('/')[0]}/`;
}

/** Tarjan's strongly connected components; returns those that are cycles (two or more members, or a self-import). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Checks read sources against the table. */
export function checkSources(layering: Layering, sources: readonly SourceFacts[]): LayeringReport {
  const violations: string[] = [];
  const partGraph = new Map<string, string[]>();
  const fileGraph = new Map<string, string[]>();
  for (const source of sources) {
    fileGraph.set(source.file, [...new Set(source.imports)]);
    if (isTest(source.file)) continue;
    const from = partOf(layering, source.file);
    if (source.readsEnvironment && source.file !== layering.environmentReader) {
      violations.push(`${source.file} reads process.env: only ${layering.environmentReader} does; take the value from its StudioEnvironment`);
    }
    for (const target of source.imports) {
      const to = partOf(layering, target);
      if (to === from) continue;
      if (!partGraph.get(from)?.includes(to)) partGraph.set(from, [...(partGraph.get(from) ?? []), to]);
      if (!(layering.mayImport[from] ?? []).includes(to)) violations.push(`${source.file} → ${target}: ${from} may not import ${to}`);
    }
  }
  const allowed = new Set(layering.allowedCycles.map((c) => [...c.files].sort().join(' → ')));
  return {
    violations,
    partCycles: findCycles(partGraph).map((c) => c.join(' → ')),
    fileCycles: findCycles(fileGraph).map((c) => c.join(' → ')).filter((c) => !allowed.has(c)),
  };
}

/** Reads and checks the code base under `root`. */
export function checkLayering(root: string, layering: Layering): LayeringReport {
  const { sources, unread } = readSources(root, layering);
  const report = checkSources(layering, sources);
  return { ...report, violations: [...unread.map((file) => `${file} is in no program of ${layering.projects.join(', ')}: its imports went unchecked`), ...report.violations] };
}
