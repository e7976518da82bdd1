// One image with every parameter and its identity score; favourite, browse, delete, remix, send on, export.
import ChevronLeftIcon from '@mui/icons-material/ChevronLeft';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import CloseIcon from '@mui/icons-material/Close';
import DeleteIcon from '@mui/icons-material/Delete';
import DownloadIcon from '@mui/icons-material/Download';
import StarIcon from '@mui/icons-material/Star';
import StarBorderIcon from '@mui/icons-material/StarBorder';
import { useEffect, useState } from 'react';
import { Alert, Box, Button, Dialog, DialogContent, DialogTitle, IconButton, Stack, Table, TableBody, TableCell, TableRow, Tooltip, Typography } from '@mui/material';
import { sdxlTimeIds } from '../../../src-preload/contract/generation.ts';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { modelName } from '../../../src-preload/contract/model-names.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { withShortcut } from '../../common/shortcuts.ts';
import { fixFaceJob } from './fix-face.ts';
import { remix, sendToImg2img, sendToInpaint } from './gallery-actions.ts';
import { CopyComfyWorkflowButton } from './CopyComfyWorkflowButton.tsx';

/** A character's image with no score was checked and held no face; without a character there is nothing to compare. */
export function identityLabel(generation: Pick<Generation, 'identityScore' | 'characterId'>): string {
  if (generation.identityScore !== null) return generation.identityScore.toFixed(3);
  return generation.characterId === null ? 'not measured (no character)' : 'no face found';
}

/** What SDXL was told, defaults filled in: "original 80×96 · crop 8, 4 · target 64×64". */
function sizeConditioningLabel(generation: Generation): string {
  const [originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth] = sdxlTimeIds(generation.width, generation.height, generation.params.sizeConditioning);
  return `original ${originalWidth}×${originalHeight} · crop ${cropTop}, ${cropLeft} · target ${targetWidth}×${targetHeight}`;
}

/** "2 of 4, kept" / "3 of 4, rejected": where a best-of-N picture ranked by likeness. */
export function rankingLabel(ranking: NonNullable<Generation['ranking']>): string {
  return `${ranking.rank} of ${ranking.of}, ${ranking.kept ? 'kept' : 'rejected'}`;
}

function rows(generation: Generation, characterName: string | undefined, parent: Generation | undefined): [string, string][] {
  const p = generation.params;
  return [
    ['Identity score', identityLabel(generation)],
    ...(generation.ranking === null ? [] : ([['Best of N', rankingLabel(generation.ranking)]] as [string, string][])),
    ...(p.faceDetail === undefined || parent === undefined ? [] : ([['Before the face pass', `identity ${identityLabel(parent)}`]] as [string, string][])),
    ['Character', characterName ?? (generation.characterId === null ? 'none' : 'deleted')],
    ['Prompt', p.prompt],
    ['Negative prompt', p.negativePrompt || '—'],
    ['Model', p.model],
    ['Seed', String(generation.seed)],
    ['Size', `${generation.width}×${generation.height}`],
    ['Steps', String(p.steps)],
    ['Sampler', p.sampler],
    ['CFG scale', String(p.cfg)],
    ['Clip skip', String(p.clipSkip)],
    ...(p.faceid === undefined
      ? []
      : ([
          ['FaceID adapter', p.faceid.adapter],
          ['Face weight', String(p.faceid.faceWeight)],
          ['Structure', String(p.faceid.structure)],
          ['LoRA strength', String(p.faceid.loraWeight)],
        ] as [string, string][])),
    ...(p.sizeConditioning === undefined ? [] : ([['SDXL size conditioning', sizeConditioningLabel(generation)]] as [string, string][])),
    ...(p.img2img === undefined ? [] : ([['Image to image strength', String(p.img2img.strength)]] as [string, string][])),
    ...(p.inpaint === undefined ? [] : ([['Inpaint feather', `${p.inpaint.featherPx} px`]] as [string, string][])),
    ...(p.hires === undefined ? [] : ([['Hires fix', `×${p.hires.scale} (${p.hires.upscaler}), ${p.hires.steps || p.steps} steps, denoise ${p.hires.denoise}`]] as [string, string][])),
    ...(p.faceDetail === undefined ? [] : ([['Face detail', `${p.faceDetail.faces === 'all' ? 'every face' : p.faceDetail.faces === 'largest' ? 'largest face' : `face ${Number(p.faceDetail.faces) + 1}`}, strength ${p.faceDetail.strength}${p.faceDetail.prompt ? `, “${p.faceDetail.prompt}”` : ''}`]] as [string, string][])),
    ...(p.control ?? []).map((u, i): [string, string] => [`ControlNet ${i + 1}`, `${u.preprocess === 'canny' ? 'Canny' : u.preprocess === 'none' ? 'as is' : u.preprocess} · ${modelName(u.model)}${u.kind === 't2i-adapter' ? ' (T2I-Adapter)' : ''} · weight ${u.weight} · steps ${u.start}–${u.end}`]),
    ...(p.loras.length === 0 ? [] : ([['LoRAs', p.loras.map((l) => `${l.file} (${l.strength})`).join(', ')]] as [string, string][])),
    ['Created', new Date(generation.createdAt).toLocaleString()],
  ];
}

export interface GenerationDetailProps {
  generation: Generation;
  characterName: string | undefined;
  isDeleted: boolean;
  onClose: () => void;
  onStep: (delta: -1 | 1) => void;
  onFavorite: () => void;
  onDelete: () => void;
  onUndoDelete: () => void;
  onExport: () => void;
}

export function GenerationDetail({ generation, characterName, isDeleted, onClose, onStep, onFavorite, onDelete, onUndoDelete, onExport }: GenerationDetailProps) {
  const studio = useStudio();
  // The picture before a face pass is this one's parent: its score is shown beside this one's.
  const [parent, setParent] = useState<Generation | undefined>();
  useEffect(() => {
    setParent(undefined);
    if (generation.parentId === null || generation.params.faceDetail === undefined) return;
    let current = true;
    void studio.generations.get({ id: generation.parentId }).then((result) => current && result.ok && setParent(result.value));
    return () => {
      current = false;
    };
  }, [studio, generation.parentId, generation.params.faceDetail]);
  const fixFace = fixFaceJob(generation);
  const [fixNotice, setFixNotice] = useState<string | undefined>();
  const queueFixFace = async () => {
    if (fixFace === undefined) return;
    const result = await studio.jobs.enqueue(fixFace);
    setFixNotice(result.ok ? 'Fix face queued: the result appears in the gallery with this picture as its parent.' : result.error.userMessage);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="lg"
      aria-labelledby="detail-title"
      onKeyDown={(event) => {
        if (event.key === 'ArrowLeft') onStep(-1);
        else if (event.key === 'ArrowRight') onStep(1);
        else if (event.key.toLowerCase() === 'f' && !event.ctrlKey && !event.metaKey) onFavorite();
        else if (event.key === 'Delete') onDelete();
        else return;
        event.preventDefault();
      }}
    >
      <DialogTitle id="detail-title" sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        Image details
        <Box sx={{ flex: 1 }} />
        <Tooltip title={withShortcut('Previous image', 'galleryMove')}>
          <IconButton aria-label="Previous image" onClick={() => onStep(-1)}>
            <ChevronLeftIcon />
          </IconButton>
        </Tooltip>
        <Tooltip title={withShortcut('Next image', 'galleryMove')}>
          <IconButton aria-label="Next image" onClick={() => onStep(1)}>
            <ChevronRightIcon />
          </IconButton>
        </Tooltip>
        <IconButton aria-label="Close details" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 1.2fr) minmax(300px, 1fr)' }, gap: 2 }}>
        <Box sx={{ bgcolor: 'action.hover', borderRadius: 1, display: 'grid', placeItems: 'center', minHeight: 320 }}>
          <Box component="img" src={studio.mediaUrl(generation.image)} alt={`Generated image, seed ${generation.seed}`} sx={{ maxWidth: '100%', maxHeight: '65vh', imageRendering: generation.width < 256 ? 'pixelated' : 'auto', width: generation.width < 256 ? 320 : 'auto' }} />
        </Box>
        <Stack spacing={1.5}>
          {isDeleted ? (
            <Alert severity="info" action={<Button color="inherit" size="small" onClick={onUndoDelete}>Undo</Button>}>
              Image deleted. It goes for good in a few seconds unless you undo.
            </Alert>
          ) : null}
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
            <Tooltip title={withShortcut(generation.favorite ? 'Remove from favourites' : 'Add to favourites', 'favorite')}>
              <Button variant="outlined" startIcon={generation.favorite ? <StarIcon /> : <StarBorderIcon />} onClick={onFavorite} aria-pressed={generation.favorite}>
                Favourite
              </Button>
            </Tooltip>
            <Tooltip title="Load every setting of this image into Generate">
              <Button variant="outlined" onClick={() => remix(generation)}>
                Remix
              </Button>
            </Tooltip>
            <Tooltip title="Start a new image from this one (image to image)">
              <Button variant="outlined" onClick={() => sendToImg2img(generation)}>
                Send to img2img
              </Button>
            </Tooltip>
            <Tooltip title="Paint over part of this image and repaint it">
              <Button variant="outlined" onClick={() => sendToInpaint(generation)}>
                Inpaint
              </Button>
            </Tooltip>
            <Tooltip title="Save the PNG with its settings written in (A1111 parameters)">
              <Button variant="outlined" startIcon={<DownloadIcon />} onClick={onExport}>
                Export PNG
              </Button>
            </Tooltip>
            <Tooltip title={fixFace === undefined ? 'Needs a picture made with a character (its FaceID repaints the face)' : 'Repaint the faces with the character\'s FaceID; kept only if the likeness does not drop'}>
              <span>
                <Button variant="outlined" onClick={() => void queueFixFace()} disabled={fixFace === undefined}>
                  Fix face
                </Button>
              </span>
            </Tooltip>
            <CopyComfyWorkflowButton generationId={generation.id} />
            <Tooltip title={withShortcut('Delete this image (you can undo for a few seconds)', 'delete')}>
              <span>
                <Button variant="outlined" color="error" startIcon={<DeleteIcon />} onClick={onDelete} disabled={isDeleted}>
                  Delete
                </Button>
              </span>
            </Tooltip>
          </Stack>
          {fixNotice === undefined ? null : (
            <Alert severity="info" onClose={() => setFixNotice(undefined)}>
              {fixNotice}
            </Alert>
          )}
          <Table size="small" aria-label="Parameters">
            <TableBody>
              {rows(generation, characterName, parent).map(([name, value]) => (
                <TableRow key={name}>
                  <TableCell component="th" scope="row" sx={{ color: 'text.secondary', whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                    {name}
                  </TableCell>
                  <TableCell sx={{ wordBreak: 'break-word' }}>
                    <Typography variant="body2">{value}</Typography>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Stack>
      </DialogContent>
    </Dialog>
  );
}
