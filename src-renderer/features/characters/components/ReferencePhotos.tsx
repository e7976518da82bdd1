// A character's reference photos: thumbnails, add by file picker or drag-and-drop, remove, choose the cover.
import AddPhotoIcon from '@mui/icons-material/AddPhotoAlternate';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import StarIcon from '@mui/icons-material/Star';
import StarBorderIcon from '@mui/icons-material/StarBorder';
import { Box, Button, IconButton, ImageList, ImageListItem, ImageListItemBar, LinearProgress, Paper, Tooltip, Typography } from '@mui/material';
import { useRef, useState, type DragEvent } from 'react';
import type { Character, Reference } from '../../../../src-preload/contract/characters.ts';
import type { Failure } from '../../../../src-preload/contract/index.ts';
import { useStudio } from '../../../client/studio-context.tsx';
import { ErrorNotice } from '../../../common/ErrorNotice.tsx';
import { fileToBase64 } from '../../../common/read-file.ts';
import { FaceVerdict } from './FaceVerdict.tsx';

export interface ReferencePhotosProps {
  character: Character;
  references: Reference[];
  /** Called after each change, so the page reloads without waiting for the change event. */
  onChanged: () => void;
}

export function ReferencePhotos({ character, references, onChanged }: ReferencePhotosProps) {
  const studio = useStudio();
  const input = useRef<HTMLInputElement>(null);
  const [failures, setFailures] = useState<Failure[]>([]);
  const [pending, setPending] = useState(0);
  const [isDragOver, setDragOver] = useState(false);
  const coverId = character.coverReferenceId ?? references[0]?.id;

  async function addFiles(files: File[]) {
    setFailures([]);
    setPending((n) => n + files.length);
    // One at a time: each photo is decoded in main, and errors name the file they belong to.
    for (const file of files) {
      const result = await studio.references.add({ characterId: character.id, fileName: file.name, dataBase64: await fileToBase64(file) });
      if (!result.ok) setFailures((previous) => [...previous, result.error]);
      else onChanged();
      setPending((n) => n - 1);
    }
  }

  async function run(call: Promise<{ ok: true } | { ok: false; error: Failure }>) {
    const result = await call;
    if (!result.ok) setFailures([result.error]);
    else onChanged();
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragOver(false);
    void addFiles([...event.dataTransfer.files]);
  }

  return (
    <section aria-labelledby="references-heading">
      <Typography id="references-heading" variant="h6" component="h3" sx={{ mb: 1 }}>
        Reference photos
      </Typography>
      <Paper
        role="region"
        aria-label="Drop photos here"
        variant="outlined"
        onDragOver={(event) => {
          event.preventDefault();
          setDragOver(true);
        }}
        onDragLeave={() => setDragOver(false)}
        onDrop={onDrop}
        sx={{ p: 3, mb: 2, textAlign: 'center', borderStyle: 'dashed', borderColor: isDragOver ? 'primary.main' : 'divider', bgcolor: isDragOver ? 'action.hover' : 'transparent' }}
      >
        <Typography color="text.secondary" sx={{ mb: 1 }}>
          Drop photos of {character.name} here — clear, front-facing, one person per photo works best.
        </Typography>
        <Button variant="outlined" startIcon={<AddPhotoIcon />} onClick={() => input.current?.click()}>
          Add photos
        </Button>
        <input
          ref={input}
          type="file"
          accept="image/*"
          multiple
          hidden
          aria-label="Choose reference photos"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            void addFiles(files);
          }}
        />
        {pending > 0 ? <LinearProgress sx={{ mt: 2 }} aria-label={`Adding ${pending} photo${pending === 1 ? '' : 's'}`} /> : null}
      </Paper>
      {failures.map((failure, index) => (
        <ErrorNotice key={index} failure={failure} onClose={() => setFailures((previous) => previous.filter((_, i) => i !== index))} />
      ))}
      <ImageList aria-label="Reference photos" cols={0} sx={{ gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr)) !important', gap: '12px !important' }}>
        {references.map((reference) => (
          <ImageListItem key={reference.id}>
            <img src={studio.mediaUrl(reference.thumbnail)} alt={`Reference photo ${reference.fileName}`} loading="lazy" style={{ aspectRatio: '1', objectFit: 'cover', borderRadius: 8 }} />
            <ImageListItemBar
              title={reference.fileName}
              subtitle={
                <>
                  {`${reference.width}×${reference.height}`} · <FaceVerdict reference={reference} />
                </>
              }
              actionIcon={
                <Box sx={{ display: 'flex' }}>
                  <Tooltip title={reference.id === coverId ? 'Cover photo' : 'Use as cover'}>
                    <IconButton
                      aria-label={`Use ${reference.fileName} as cover`}
                      aria-pressed={reference.id === coverId}
                      sx={{ color: 'white' }}
                      onClick={() => void run(studio.characters.update({ id: character.id, coverReferenceId: reference.id }))}
                    >
                      {reference.id === coverId ? <StarIcon /> : <StarBorderIcon />}
                    </IconButton>
                  </Tooltip>
                  <Tooltip title="Remove this photo">
                    <IconButton aria-label={`Remove ${reference.fileName}`} sx={{ color: 'white' }} onClick={() => void run(studio.references.remove({ id: reference.id }))}>
                      <DeleteIcon />
                    </IconButton>
                  </Tooltip>
                </Box>
              }
            />
          </ImageListItem>
        ))}
      </ImageList>
    </section>
  );
}
