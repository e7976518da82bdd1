// `faceid <command>`: the headless entry point. Each command lives in its own file under commands/
// and exports `command`; they are found by listing that folder so adding one touches nothing else.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StudioError } from '../base/errors.ts';
import type { CliCommand, CliIo } from './command.ts';

const commandsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

async function loadCommands(): Promise<CliCommand[]> {
  let files: string[];
  try {
    files = readdirSync(commandsFolder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  } catch {
    return [];
  }
  const loaded = await Promise.all(files.map(async (f) => ((await import(pathToFileURL(path.join(commandsFolder, f)).href)) as { command: CliCommand }).command));
  return loaded.sort((a, b) => a.name.localeCompare(b.name));
}

const commands: readonly CliCommand[] = await loadCommands();

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return ['Usage: faceid <command> [options]', '', ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'faceid <command> --help shows the options of a command.'].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`faceid: unknown command "${name}".\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof StudioError) {
      io.stderr.write(`faceid ${name}: ${error.userMessage}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      return error.code === 'cancelled' ? 130 : 1;
    }
    io.stderr.write(`faceid ${name}: internal error — please report it.\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
}
