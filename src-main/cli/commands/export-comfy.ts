// `faceid export-comfy ID [--out DIR]`: a gallery generation as ComfyUI workflows (stock nodes and
// ComfyUI_IPAdapter_plus): <ID>.prompt.json (API format, for ComfyUI's /prompt) and <ID>.workflow.json (open or drop
// into the ComfyUI editor), with what ComfyUI cannot do the same way on stderr.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composeStudio } from '../../app/compose.ts';
import { readEnvironment } from '../../app/environment.ts';
import { StudioError } from '../../base/errors.ts';
import { DATABASE_FILE_NAME } from '../../library/library.ts';
import { defaultStudioDir } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';

const USAGE = 'faceid export-comfy GENERATION_ID [--out DIR]   (the library is FACEID_STUDIO_HOME, or the studio\'s own)';

export const command: CliCommand = {
  name: 'export-comfy',
  summary: 'Write a gallery generation as ComfyUI workflows (API prompt and editor workflow JSON)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(command, args, { out: { type: 'string' } });
    const [id] = positionals;
    if (id === undefined || positionals.length > 1) throw new StudioError('invalid-request', { userMessage: 'Name one generation id.', hint: `Usage: ${USAGE}` });
    const folder = defaultStudioDir(readEnvironment());
    if (!existsSync(path.join(folder, DATABASE_FILE_NAME))) {
      throw new StudioError('library.not-found', { userMessage: `There is no studio library in ${folder}.`, hint: 'Set FACEID_STUDIO_HOME to the studio\'s library folder.' });
    }
    const studio = composeStudio({ libraryFolder: folder });
    try {
      const result = await studio.dispatch('generations.comfyWorkflow', { id });
      if (!result.ok) throw new StudioError(result.error.code, { userMessage: result.error.userMessage, ...(result.error.hint ? { hint: result.error.hint } : {}) });
      const { prompt, workflow, notes } = result.value as { prompt: unknown; workflow: unknown; notes: string[] };
      const out = path.resolve(values.out ?? '.');
      await mkdir(out, { recursive: true });
      const files = [path.join(out, `${id}.prompt.json`), path.join(out, `${id}.workflow.json`)];
      await writeFile(files[0]!, `${JSON.stringify(prompt, null, 2)}\n`);
      await writeFile(files[1]!, `${JSON.stringify(workflow, null, 2)}\n`);
      for (const note of notes) io.stderr.write(`note: ${note}\n`);
      io.stdout.write(`${files.join('\n')}\n`);
      return 0;
    } finally {
      studio.close();
    }
  },
};
