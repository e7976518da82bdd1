// Starts the real studio host (`node src-main/app/host-main.ts`) as a child process on a given library folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './fixtures.ts';

export interface SpawnedHost {
  readonly process: ChildProcess;
  /** The URL with the token, as printed. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** Everything the host printed so far. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

// The project's Node 22 (from npm): the system Node may be older than better-sqlite3 and type stripping need.
const projectNode = path.join(repoRoot, 'node_modules/.bin/node');
const nodeBinary = existsSync(projectNode) ? projectNode : process.execPath;

export async function spawnHost(libraryFolder: string, args: string[] = [], timeoutMs = 60_000): Promise<SpawnedHost> {
  const child = spawn(nodeBinary, [path.join(repoRoot, 'src-main/app/host-main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, FACEID_STUDIO_HOME: libraryFolder },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = (): void => {
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The host exited (${code ?? signal}) before printing its URL:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    process: child,
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
