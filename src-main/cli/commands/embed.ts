// `faceid embed IMG… [--json]`: faces, reference QA and the ArcFace embedding of each photo.
import path from 'node:path';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { analyzeImage, type ImageAnalysis } from '../../engine/face/analyze.ts';
import { loadFaceModels, releaseFaceModels } from '../../engine/face/models.ts';
import { readEnvironment, type StudioEnvironment } from '../../app/environment.ts';
import { defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';

/** The catalog's folder for buffalo_l inside the studio's models folder (ComfyUI's layout). */
const BUFFALO_L_FOLDER = path.join('insightface', 'models', 'buffalo_l');

/**
 * Where the face models are looked for when --face-models is not given: FACEID_FACE_MODELS, else buffalo_l in the
 * studio's models folder (studio-paths.ts: FACEID_STUDIO_HOME or the app's data folder), where the model manager downloads it.
 */
export function defaultFaceModelsFolder(env: StudioEnvironment): string {
  if (env.faceModels) return path.resolve(env.faceModels);
  return path.join(modelFolders({ studioDir: defaultStudioDir(env) }).modelsDir, BUFFALO_L_FOLDER);
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function analysisJson(file: string, analysis: ImageAnalysis): unknown {
  return {
    file,
    width: analysis.width,
    height: analysis.height,
    detectionSize: analysis.detectionSize,
    notes: analysis.notes,
    verdict: analysis.verdict,
    faces: analysis.faces.map((face) => ({
      index: face.index,
      box: face.box.map((v) => round(v)),
      score: round(face.score, 4),
      landmarks: face.landmarks.map(([x, y]) => [round(x), round(y)]),
      qa: { ...face.qa, widthPx: round(face.qa.widthPx, 1), heightPx: round(face.qa.heightPx, 1), sharpness: round(face.qa.sharpness, 1), yawDeg: round(face.qa.yawDeg, 1), pitchDeg: round(face.qa.pitchDeg, 1), rollDeg: round(face.qa.rollDeg, 1) },
      embedding: Array.from(face.embedding),
    })),
  };
}

function analysisText(file: string, analysis: ImageAnalysis): string {
  const lines = [`${file}: ${analysis.width}×${analysis.height}, ${analysis.faces.length === 1 ? '1 face' : `${analysis.faces.length} faces`}`];
  for (const note of analysis.notes) lines.push(`  note: ${note}`);
  for (const face of analysis.faces) {
    const used = analysis.verdict.usedFace === face.index ? ' (used)' : '';
    const [x1, y1, x2, y2] = face.box.map((v) => Math.round(v));
    lines.push(
      `  face ${face.index + 1}${used}: box ${x1},${y1}–${x2},${y2}, score ${face.score.toFixed(3)}, ${Math.round(face.qa.widthPx)} px wide, sharpness ${face.qa.sharpness.toFixed(0)}, yaw ${face.qa.yawDeg.toFixed(0)}°, pitch ${face.qa.pitchDeg.toFixed(0)}°`,
    );
  }
  lines.push(`  verdict: ${analysis.verdict.level} — ${analysis.verdict.message}`);
  for (const advice of analysis.verdict.advice) lines.push(`    - ${advice}`);
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  name: 'embed',
  summary: 'Find the faces in photos: reference quality verdict and ArcFace embedding',
  usage: 'faceid embed IMG… [--json] [--face N] [--det-size N] [--face-models DIR]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(command, args, {
      json: { type: 'boolean', default: false },
      face: { type: 'string' },
      'det-size': { type: 'string' },
      'face-models': { type: 'string' },
    });
    if (positionals.length === 0) throw new StudioError('invalid-request', { userMessage: 'Give at least one image.', hint: `Usage: ${command.usage}` });
    const chosenFace = values.face === undefined ? undefined : Number(values.face) - 1;
    if (chosenFace !== undefined && !(Number.isInteger(chosenFace) && chosenFace >= 0)) {
      throw new StudioError('invalid-request', { userMessage: `--face must be a face number from 1, got "${values.face}".`, hint: `Usage: ${command.usage}` });
    }
    const detSize = values['det-size'] === undefined ? undefined : Number(values['det-size']);
    if (detSize !== undefined && !(Number.isInteger(detSize) && detSize >= 64 && detSize <= 2048 && detSize % 32 === 0)) {
      throw new StudioError('invalid-request', { userMessage: `--det-size must be a multiple of 32 from 64 to 2048, got "${values['det-size']}".`, hint: 'The default tries 640, then smaller sizes; a larger size finds smaller faces.' });
    }
    const folder = values['face-models'] ? path.resolve(values['face-models']) : defaultFaceModelsFolder(readEnvironment());
    const models = await loadFaceModels(folder);
    const results: unknown[] = [];
    let failures = 0;
    try {
      for (const file of positionals) {
        throwIfCancelled(io.signal, 'faceid embed');
        try {
          const analysis = await analyzeImage(file, models, { signal: io.signal, ...(chosenFace === undefined ? {} : { chosenFace }), ...(detSize === undefined ? {} : { detectionSizes: [detSize] }) });
          if (values.json) results.push(analysisJson(file, analysis));
          else io.stdout.write(analysisText(file, analysis));
        } catch (error) {
          if (!(error instanceof StudioError) || error.code === 'cancelled') throw error;
          failures++;
          if (values.json) results.push({ file, error: error.toFailure() });
          else io.stderr.write(`${file}: ${error.userMessage}\n${error.hint ? `  ${error.hint}\n` : ''}`);
        }
      }
    } finally {
      await releaseFaceModels(models);
    }
    if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return failures === 0 ? 0 : 1;
  },
};
