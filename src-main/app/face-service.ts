// The studio's use of the face engine: analysing reference photos into face records, the character's identity
// embedding (recomputed from the stored faces whenever it is asked for, so it always follows the references),
// FaceID tokens for a job, and the identity score of a finished image. The face models are opened once, on first use.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import path from 'node:path';
import type { FaceIdChoice } from '../../src-preload/contract/generation.ts';
import { StudioError, throwIfCancelled } from '../base/errors.ts';
import { analyzeImage, type ImageAnalysis } from '../engine/face/analyze.ts';
import { characterEmbedding, identityScore } from '../engine/face/identity.ts';
import { faceModelFiles, loadFaceModels, releaseFaceModels, RECOGNIZER_FILE, type FaceModels } from '../engine/face/models.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import { openIpAdapter } from '../engine/io/ipadapter.ts';
import { compileModel } from '../engine/models/compile.ts';
import { openSession } from '../engine/onnx/session.ts';
import { loadFaceProjection, projectFaceTokens, releaseFaceProjection } from '../engine/models/face-tokens.ts';
import { prepareFaceConditioning } from '../engine/pipeline/face-conditioning.ts';
import type { Library } from '../library/library.ts';
import type { FaceRecord } from '../library/faces-repository.ts';

export interface LoadedFaceModels {
  readonly models: FaceModels;
  /** Identifies the recognizer, so embeddings of another recognizer are never mixed in. */
  readonly embeddingModel: string;
}

export class FaceService {
  readonly #candidates: () => readonly string[];
  readonly #library: Library;
  readonly #cacheDir: string;
  readonly #imageEncoder: () => string | undefined;
  readonly #analyzing = new Map<string, Promise<ImageAnalysis>>();
  #loaded: Promise<LoadedFaceModels> | undefined;

  /** `faceModelsFolder`: one folder, or the folders to look in (first with both files wins; asked again at each use). */
  constructor(options: { library: Library; faceModelsFolder: string | (() => readonly string[]); cacheDir: string; imageEncoder?: () => string | undefined }) {
    this.#library = options.library;
    this.#imageEncoder = options.imageEncoder ?? (() => undefined);
    const folders = options.faceModelsFolder;
    this.#candidates = typeof folders === 'string' ? () => [folders] : folders;
    this.#cacheDir = options.cacheDir;
  }

  /** The folder holding both face model files, else the first place they are expected (named in messages). */
  get folder(): string {
    const candidates = this.#candidates();
    return candidates.find(hasFaceModels) ?? candidates[0] ?? '';
  }

  /** True when both face model files are in one of the folders (they may still fail to open). */
  installed(): boolean {
    return this.#candidates().some(hasFaceModels);
  }

  /** The open face models; a `face.model-missing` StudioError names the folder when they are not installed. */
  models(): Promise<LoadedFaceModels> {
    if (this.#loaded === undefined) {
      const loading = (async () => {
        const folder = this.folder;
        const models = await loadFaceModels(folder);
        return { models, embeddingModel: `insightface/${path.basename(RECOGNIZER_FILE, '.onnx')}@${await fileSha256(path.join(folder, RECOGNIZER_FILE))}` };
      })();
      this.#loaded = loading;
      // A failed load (models missing, then installed) is tried again on the next use.
      loading.catch(() => {
        if (this.#loaded === loading) this.#loaded = undefined;
      });
    }
    return this.#loaded;
  }

  /**
   * Detects, checks and embeds the faces of a stored reference photo and stores them; returns the analysis.
   * Calls for a photo already being analysed share that analysis.
   */
  analyzeReference(referenceId: string, signal?: AbortSignal): Promise<ImageAnalysis> {
    let running = this.#analyzing.get(referenceId);
    if (running === undefined) {
      running = this.#analyze(referenceId, signal).finally(() => this.#analyzing.delete(referenceId));
      this.#analyzing.set(referenceId, running);
    }
    return running;
  }

  async #analyze(referenceId: string, signal?: AbortSignal): Promise<ImageAnalysis> {
    const reference = this.#library.references.get(referenceId);
    const { models, embeddingModel } = await this.models();
    const analysis = await analyzeImage(this.#library.blobs.absolute(reference.original), models, signal ? { signal } : {});
    const records: FaceRecord[] = analysis.faces.map((face) => ({
      box: [face.box[0], face.box[1], face.box[2] - face.box[0], face.box[3] - face.box[1]],
      landmarks: face.landmarks.map(([x, y]) => [x, y] as [number, number]),
      detectionScore: face.score,
      embedding: face.embedding,
      embeddingModel,
    }));
    // The photo may have been removed while it was analysed: then there is nothing to store.
    if (this.#library.db.open && this.#library.references.exists(referenceId)) this.#library.faces.replaceForReference(referenceId, records);
    return analysis;
  }

  /**
   * The character's identity: the mean of its references' chosen faces (the largest face unless the user chose another). `face.no-references` when none of its photos has a usable face.
   */
  async characterEmbedding(characterId: string): Promise<Float32Array> {
    const { embeddingModel } = await this.models();
    await this.analyzeMissing(characterId);
    return characterEmbedding(this.#chosenFaces(characterId, embeddingModel).map((face) => face.embedding!));
  }

  /** Analyses the character's photos that were added before the face models were installed. */
  async analyzeMissing(characterId: string, signal?: AbortSignal): Promise<void> {
    for (const reference of this.#library.references.listForCharacter(characterId)) {
      if (reference.faceCount === null) await this.analyzeReference(reference.id, signal);
    }
  }

  /** How many of the character's photos contribute a face to its identity. */
  async facesInIdentity(characterId: string): Promise<number> {
    const { embeddingModel } = await this.models();
    return this.#chosenFaces(characterId, embeddingModel).length;
  }

  /** The identity of FaceID photos given as files (a job without a character): their used faces' mean embedding. */
  async photosEmbedding(files: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    const { models } = await this.models();
    const embeddings: Float32Array[] = [];
    for (const file of files) {
      const analysis = await analyzeImage(file, models, signal ? { signal } : {});
      const used = analysis.verdict.usedFace;
      if (used !== null) embeddings.push(analysis.faces[used]!.embedding);
    }
    return characterEmbedding(embeddings);
  }

  /** Cosine similarity of the most similar face in `png` to the character; null when the image shows no face. */
  async identityScore(characterEmbedding: Float32Array, png: Uint8Array, signal?: AbortSignal): Promise<number | null> {
    const { models } = await this.models();
    const analysis = await analyzeImage(png, models, signal ? { signal } : {});
    const score = identityScore(characterEmbedding, analysis.faces);
    return score.kind === 'face' ? score.score : null;
  }

  /**
   * FaceID tokens for a generation: from the photos the parameters name, else from the character. A character's
   * stored embeddings (each photo's chosen face) are projected directly; FaceID-Plus also needs the face crops, so
   * for it the character's photos are analysed again. The adapter's paired LoRA is applied by the engine.
   */
  async conditioning(faceid: FaceIdChoice, characterId: string | null, signal: AbortSignal, model?: string): Promise<IpConditioning> {
    const character = faceid.characterId ?? characterId;
    if (faceid.faces.length === 0 && character !== null) {
      const stored = await this.#storedConditioning(faceid, character, signal);
      if (stored !== undefined) return stored;
    }
    const references = faceid.faces.length > 0 ? faceid.faces.map((file) => ({ file })) : this.#characterReferences(character);
    const { models } = await this.models();
    const imageEncoder = await this.#openImageEncoder(faceid.adapter, model, signal);
    try {
      const result = await prepareFaceConditioning(
        { adapter: faceid.adapter, references, structure: faceid.structure, combine: faceid.combine },
        { faceModels: models, cacheDir: this.#cacheDir, signal, ...(imageEncoder ? { imageEncoder } : {}) },
      );
      return { cond: result.cond, uncond: result.uncond, count: result.count, scale: faceid.faceWeight };
    } finally {
      await imageEncoder?.release();
    }
  }

  /** For a FaceID-Plus adapter: the CLIP image encoder found among the model roots, compiled with the model (as the CLI does). */
  async #openImageEncoder(adapter: string, model: string | undefined, signal: AbortSignal): Promise<ort.InferenceSession | undefined> {
    const encoder = this.#imageEncoder();
    if (encoder === undefined || model === undefined) return undefined;
    const { variant } = await openIpAdapter(adapter);
    if (variant !== 'faceid-plus' && variant !== 'faceid-plusv2') return undefined;
    const compiled = await compileModel(model, { cacheDir: this.#cacheDir, adapter, imageEncoder: encoder, signal });
    return compiled.imageEncoder ? openSession(compiled.imageEncoder.path) : undefined;
  }

  /** Tokens from the character's stored embeddings; undefined for FaceID-Plus adapters (they need the photos). */
  async #storedConditioning(faceid: FaceIdChoice, characterId: string, signal: AbortSignal): Promise<IpConditioning | undefined> {
    const { embeddingModel } = await this.models();
    await this.analyzeMissing(characterId, signal);
    const faces = this.#chosenFaces(characterId, embeddingModel);
    const projection = await loadFaceProjection(faceid.adapter, { cacheDir: this.#cacheDir, signal });
    try {
      if (projection.config.kind === 'plus') return undefined;
      throwIfCancelled(signal, 'FaceID');
      if (faces.length === 0) this.#characterReferences(characterId); // names what is missing: no photos at all
      if (faces.length === 0) {
        throw new StudioError('face.none-found', {
          userMessage: `No face was found in the reference photos of "${this.#library.characters.get(characterId).name}", so FaceID has nothing to follow.`,
          hint: 'Add a photo where the face is clearly visible and facing the camera, at least 112 px wide.',
        });
      }
      const tokens = await projectFaceTokens(projection, { embeddings: faces.map((face) => face.embedding!), combine: faceid.combine });
      return { cond: tokens.cond.data, uncond: tokens.uncond.data, count: tokens.cond.shape[1]!, scale: faceid.faceWeight };
    } finally {
      await releaseFaceProjection(projection);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#analyzing.values()]);
    const loaded = await this.#loaded?.catch(() => undefined);
    this.#loaded = undefined;
    if (loaded !== undefined) await releaseFaceModels(loaded.models);
  }

  #characterReferences(characterId: string | null | undefined): { file: string; chosenFace?: number }[] {
    if (characterId === null || characterId === undefined) {
      throw new StudioError('face.no-references', {
        userMessage: 'This FaceID generation names neither reference photos nor a character.',
        hint: 'Choose a character with reference photos, or add reference photos to the generation.',
      });
    }
    const character = this.#library.characters.get(characterId);
    const references = this.#library.references.listForCharacter(characterId);
    if (references.length === 0) {
      throw new StudioError('face.no-references', {
        userMessage: `"${character.name}" has no reference photos, so FaceID has no face to follow.`,
        hint: 'Add a photo of the person on the character\'s page.',
      });
    }
    return references.map((reference) => {
      const chosenFace = this.#library.references.chosenFace(reference.id);
      return { file: this.#library.blobs.absolute(reference.original), ...(chosenFace === null ? {} : { chosenFace }) };
    });
  }

  /** Per photo the face the user chose, else the largest one (as the face analysis picks). */
  #chosenFaces(characterId: string, embeddingModel: string) {
    const faces = this.#library.faces.embeddedFacesOfCharacter(characterId, embeddingModel);
    const byReference = new Map<string, (typeof faces)[number]>();
    for (const face of faces) {
      const chosen = this.#library.references.chosenFace(face.referenceId);
      const current = byReference.get(face.referenceId);
      const area = (f: typeof face) => f.box[2] * f.box[3];
      if (chosen === null ? current === undefined || area(face) > area(current) : face.faceIndex === chosen) byReference.set(face.referenceId, face);
    }
    return [...byReference.values()];
  }
}

function hasFaceModels(folder: string): boolean {
  const files = faceModelFiles(folder);
  return files.detector !== null && files.recognizer !== null;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
