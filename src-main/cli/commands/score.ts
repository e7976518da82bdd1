// `faceid score --character REF… IMG…`: how much each image still looks like the character (cosine similarity of
// ArcFace embeddings to the character's mean embedding, most similar face per image; "no face" when none).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { analyzeImage } from '../../engine/face/analyze.ts';
import { characterEmbedding, identityScore, type IdentityScore } from '../../engine/face/identity.ts';
import { loadFaceModels, releaseFaceModels, type FaceModels } from '../../engine/face/models.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';
import { readEnvironment } from '../../app/environment.ts';
import { defaultFaceModelsFolder } from './embed.ts';

interface EmbedJsonEntry {
  readonly file?: string;
  readonly verdict?: { readonly usedFace?: number | null };
  readonly faces?: readonly { readonly embedding?: readonly number[] }[];
}

/** Reference embeddings from `faceid embed --json` output: the used face of each photo that has one. */
async function embeddingsFromJson(file: string): Promise<Float32Array[]> {
  let entries: EmbedJsonEntry[];
  try {
    entries = JSON.parse(await readFile(file, 'utf8')) as EmbedJsonEntry[];
    if (!Array.isArray(entries)) throw new Error('not a list');
  } catch (cause) {
    throw new StudioError('invalid-request', {
      userMessage: `${path.basename(file)} is not the JSON list that \`faceid embed --json\` writes.`,
      hint: 'Pass reference photos instead, or save `faceid embed --json REF… > character.json` and pass that file.',
      cause,
    });
  }
  return entries.flatMap((entry) => {
    const used = entry.verdict?.usedFace;
    const embedding = used === null || used === undefined ? undefined : entry.faces?.[used]?.embedding;
    return embedding ? [Float32Array.from(embedding)] : [];
  });
}

async function referenceEmbeddings(references: readonly string[], models: FaceModels, signal: AbortSignal): Promise<Float32Array[]> {
  const embeddings: Float32Array[] = [];
  for (const reference of references) {
    throwIfCancelled(signal, 'faceid score');
    if (reference.toLowerCase().endsWith('.json')) {
      embeddings.push(...(await embeddingsFromJson(reference)));
      continue;
    }
    const analysis = await analyzeImage(reference, models, { signal });
    const used = analysis.verdict.usedFace;
    if (used !== null) embeddings.push(analysis.faces[used]!.embedding);
  }
  return embeddings;
}

function scoreText(score: IdentityScore): string {
  return score.kind === 'no-face' ? 'no face' : `${score.score.toFixed(3)} (face ${score.faceIndex + 1})`;
}

export const command: CliCommand = {
  name: 'score',
  summary: 'Identity score: how much each image looks like the character of the reference photos',
  usage: 'faceid score --character REF [--character REF…] IMG… [--json] [--face-models DIR]   (REF: a photo, or the JSON of faceid embed --json)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(command, args, {
      character: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      'face-models': { type: 'string' },
    });
    const references = values.character ?? [];
    if (references.length === 0 || positionals.length === 0) {
      throw new StudioError('invalid-request', { userMessage: 'Give at least one --character reference and one image to score.', hint: `Usage: ${command.usage}` });
    }
    const models = await loadFaceModels(values['face-models'] ? path.resolve(values['face-models']) : defaultFaceModelsFolder(readEnvironment()));
    try {
      const character = characterEmbedding(await referenceEmbeddings(references, models, io.signal));
      const results: { file: string; score: IdentityScore }[] = [];
      for (const file of positionals) {
        throwIfCancelled(io.signal, 'faceid score');
        const analysis = await analyzeImage(file, models, { signal: io.signal });
        const score = identityScore(character, analysis.faces);
        results.push({ file, score });
        if (!values.json) io.stdout.write(`${file}: ${scoreText(score)}\n`);
      }
      if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return 0;
    } finally {
      await releaseFaceModels(models);
    }
  },
};
