// Which features can run with the files found, and for each missing piece the one thing to do about it:
// download it (catalog), locate it (no catalog entry: point the studio at a folder that has it), or an
// explanation (hidden by commercial-clean mode). The paired LoRA and the image encoder are resolved
// automatically: an adapter that carries its LoRA needs no separate file. The CLIP tokenizer is no piece: the app
// ships it (assets/tokenizer), so a single-file checkpoint is ready on its own.
import type { ModelBase, ModelKind, FaceIdVariant, CatalogEntry } from './catalog-schema.ts';
import type { ModelCatalog } from './catalog.ts';
import type { ModelIdentity } from './identity.ts';

export const FEATURE_IDS = [
  'txt2img-sd15',
  'faceid-sd15',
  'faceid-plusv2-sd15',
  'portrait-sd15',
  'txt2img-sdxl',
  'faceid-sdxl',
  'faceid-plusv2-sdxl',
  'portrait-sdxl',
  'face-analysis',
] as const;
export type FeatureId = (typeof FEATURE_IDS)[number];

export type PieceRole = 'checkpoint' | 'adapter' | 'paired-lora' | 'image-encoder' | 'face-detector' | 'face-recognizer';

export type PieceAction =
  | { readonly type: 'download'; readonly catalogId: string; readonly sizeBytes: number; readonly nonCommercial: boolean }
  | { readonly type: 'locate'; readonly hint: string }
  | { readonly type: 'explain'; readonly text: string };

export interface FeaturePiece {
  readonly role: PieceRole;
  readonly description: string;
  /** The file that satisfies it, or the adapter itself for an embedded LoRA; null when missing. */
  readonly foundAt: string | null;
  readonly foundSummary: string | null;
  /** Only for missing pieces. */
  readonly action: PieceAction | null;
}

export interface FeatureReadiness {
  readonly id: FeatureId;
  readonly title: string;
  readonly status: 'ready' | 'missing' | 'hidden';
  /** Uses research-only weights (FaceID, InsightFace): badge + one-time acknowledgement. */
  readonly nonCommercial: boolean;
  readonly needsAcknowledgement: boolean;
  readonly pieces: readonly FeaturePiece[];
  /** Set when commercial-clean mode hides this feature. */
  readonly hiddenReason: string | null;
}

export interface ReadinessReport {
  readonly features: readonly FeatureReadiness[];
  readonly commercialClean: boolean;
  /** In commercial-clean mode: what remains available, in words. */
  readonly summary: string;
}

export interface IdentifiedFile {
  readonly path: string;
  readonly identity: ModelIdentity | null;
}

export interface ReadinessInput {
  readonly files: readonly IdentifiedFile[];
  readonly catalog: ModelCatalog;
  readonly commercialClean: boolean;
  readonly nonCommercialAcknowledged: boolean;
}

interface PieceSpec {
  readonly role: PieceRole;
  readonly description: string;
  readonly kind: ModelKind;
  readonly base?: ModelBase;
  readonly variants?: readonly FaceIdVariant[];
  /** Catalog entry to offer when missing. */
  readonly catalogId: string;
}

interface FeatureSpec {
  readonly id: FeatureId;
  readonly title: string;
  readonly pieces: readonly PieceSpec[];
}

const faceModels: PieceSpec[] = [
  { role: 'face-detector', description: 'face detector (InsightFace det_10g)', kind: 'face-detector', catalogId: 'insightface-det-10g' },
  { role: 'face-recognizer', description: 'face recognizer (InsightFace w600k_r50)', kind: 'face-recognizer', catalogId: 'insightface-w600k-r50' },
];
const checkpoint = (base: ModelBase, catalogId: string): PieceSpec => ({ role: 'checkpoint', description: `${base === 'sd15' ? 'SD1.5' : 'SDXL'} checkpoint`, kind: 'checkpoint', base, catalogId });
const adapter = (base: ModelBase, variants: FaceIdVariant[], description: string, catalogId: string): PieceSpec => ({ role: 'adapter', description, kind: 'ip-adapter', base, variants, catalogId });
const pairedLora = (base: ModelBase, catalogId: string): PieceSpec => ({ role: 'paired-lora', description: 'the adapter\'s paired LoRA', kind: 'lora', base, catalogId });
const imageEncoder: PieceSpec = { role: 'image-encoder', description: 'CLIP ViT-H/14 image encoder', kind: 'image-encoder', catalogId: 'clip-vit-h14-image-encoder' };

export const FEATURES: readonly FeatureSpec[] = [
  { id: 'txt2img-sd15', title: 'Text to image (SD1.5)', pieces: [checkpoint('sd15', 'sd15-realistic-vision-5.1')] },
  { id: 'faceid-sd15', title: 'FaceID (SD1.5)', pieces: [checkpoint('sd15', 'sd15-realistic-vision-5.1'), adapter('sd15', ['faceid'], 'FaceID adapter (SD1.5)', 'faceid-sd15'), pairedLora('sd15', 'faceid-sd15-lora'), ...faceModels] },
  { id: 'faceid-plusv2-sd15', title: 'FaceID-PlusV2 (SD1.5)', pieces: [checkpoint('sd15', 'sd15-realistic-vision-5.1'), adapter('sd15', ['faceid-plusv2', 'faceid-plus'], 'FaceID-PlusV2 adapter (SD1.5)', 'faceid-plusv2-sd15'), pairedLora('sd15', 'faceid-plusv2-sd15-lora'), imageEncoder, ...faceModels] },
  { id: 'portrait-sd15', title: 'FaceID Portrait (SD1.5)', pieces: [checkpoint('sd15', 'sd15-realistic-vision-5.1'), adapter('sd15', ['portrait', 'portrait-v11'], 'FaceID Portrait adapter (SD1.5)', 'faceid-portrait-v11-sd15'), ...faceModels] },
  { id: 'txt2img-sdxl', title: 'Text to image (SDXL)', pieces: [checkpoint('sdxl', 'sdxl-base-1.0')] },
  { id: 'faceid-sdxl', title: 'FaceID (SDXL)', pieces: [checkpoint('sdxl', 'sdxl-base-1.0'), adapter('sdxl', ['faceid'], 'FaceID adapter (SDXL)', 'faceid-sdxl'), pairedLora('sdxl', 'faceid-sdxl-lora'), ...faceModels] },
  { id: 'faceid-plusv2-sdxl', title: 'FaceID-PlusV2 (SDXL)', pieces: [checkpoint('sdxl', 'sdxl-base-1.0'), adapter('sdxl', ['faceid-plusv2'], 'FaceID-PlusV2 adapter (SDXL)', 'faceid-plusv2-sdxl'), pairedLora('sdxl', 'faceid-plusv2-sdxl-lora'), imageEncoder, ...faceModels] },
  { id: 'portrait-sdxl', title: 'FaceID Portrait (SDXL)', pieces: [checkpoint('sdxl', 'sdxl-base-1.0'), adapter('sdxl', ['portrait', 'portrait-unnorm'], 'FaceID Portrait adapter (SDXL)', 'faceid-portrait-sdxl'), ...faceModels] },
  { id: 'face-analysis', title: 'Face analysis (detection, identity score)', pieces: faceModels },
];

function matches(identity: ModelIdentity, spec: PieceSpec): boolean {
  if (identity.kind !== spec.kind) return false;
  if (spec.base && identity.base !== spec.base) return false;
  if (spec.variants) {
    const possible = [identity.variant, ...(identity.alsoPossible ?? [])];
    if (!spec.variants.some((v) => possible.includes(v))) return false;
  }
  if (spec.kind === 'lora' && !identity.isFaceIdLora) return false;
  return true;
}

/** Full-size files before tiny test models; otherwise the order found (studio folder first). */
function pick(files: readonly IdentifiedFile[], spec: PieceSpec): IdentifiedFile | undefined {
  const candidates = files.filter((f) => f.identity && matches(f.identity, spec));
  return candidates.find((f) => f.identity?.isFullSize) ?? candidates[0];
}

function actionFor(entry: CatalogEntry | undefined, spec: PieceSpec, commercialClean: boolean): PieceAction {
  if (!entry) return { type: 'locate', hint: `Add a folder that holds a ${spec.description} (Models → Add folder); the catalog has none to download.` };
  if (commercialClean && entry.licence.nonCommercial) {
    return { type: 'explain', text: `${entry.title} is for non-commercial research only (${entry.licence.name}); commercial-clean mode is on, so it is not offered.` };
  }
  return { type: 'download', catalogId: entry.id, sizeBytes: entry.sizeBytes, nonCommercial: entry.licence.nonCommercial };
}

function isResearchOnly(spec: PieceSpec): boolean {
  return spec.kind === 'ip-adapter' || spec.kind === 'face-detector' || spec.kind === 'face-recognizer' || (spec.kind === 'lora' && spec.role === 'paired-lora');
}

export function computeReadiness(input: ReadinessInput): ReadinessReport {
  const features = FEATURES.map((feature): FeatureReadiness => {
    const nonCommercial = feature.pieces.some(isResearchOnly);
    const pieces: FeaturePiece[] = [];
    let chosenAdapter: IdentifiedFile | undefined;
    for (const spec of feature.pieces) {
      const found = spec.role === 'paired-lora' && chosenAdapter?.identity?.hasEmbeddedLora ? chosenAdapter : pick(input.files, spec);
      if (spec.role === 'adapter') chosenAdapter = found;
      const isEmbedded = spec.role === 'paired-lora' && found !== undefined && found === chosenAdapter;
      const entry = input.catalog.has(spec.catalogId) ? input.catalog.get(spec.catalogId) : undefined;
      pieces.push({
        role: spec.role,
        description: spec.description,
        foundAt: found?.path ?? null,
        foundSummary: found ? (isEmbedded ? 'inside the adapter file' : (found.identity?.summary ?? null)) : null,
        action: found ? null : actionFor(entry, spec, input.commercialClean),
      });
    }
    const hidden = input.commercialClean && nonCommercial;
    return {
      id: feature.id,
      title: feature.title,
      status: hidden ? 'hidden' : pieces.every((p) => p.foundAt !== null) ? 'ready' : 'missing',
      nonCommercial,
      needsAcknowledgement: nonCommercial && !input.nonCommercialAcknowledged,
      pieces,
      hiddenReason: hidden ? 'Uses InsightFace and IP-Adapter-FaceID weights, which are licensed for non-commercial research only.' : null,
    };
  });
  const available = features.filter((f) => f.status !== 'hidden').map((f) => f.title);
  const summary = input.commercialClean
    ? `Commercial-clean mode: research-only models are hidden. Still available: ${available.join(', ') || 'nothing'}.`
    : `${features.filter((f) => f.status === 'ready').length} of ${features.length} features ready.`;
  return { features, commercialClean: input.commercialClean, summary };
}
