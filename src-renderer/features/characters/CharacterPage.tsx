// One character: name, rename/delete, and its reference photos.
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { Button, CircularProgress, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { navigate, routeHash } from '../../app/navigation.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { CharacterNameDialog } from './components/CharacterNameDialog.tsx';
import { DeleteCharacterDialog } from './components/DeleteCharacterDialog.tsx';
import { ReferencePhotos } from './components/ReferencePhotos.tsx';
import { useCharacter } from './hooks/use-characters.ts';

export function CharacterPage({ characterId }: { characterId: string }) {
  const studio = useStudio();
  const detail = useCharacter(characterId);
  const [dialog, setDialog] = useState<'rename' | 'delete'>();
  const character = detail.value?.character;

  return (
    <section aria-labelledby="character-heading">
      <Button href={routeHash('characters')} startIcon={<ArrowBackIcon />} sx={{ mb: 2 }}>
        All characters
      </Button>
      {detail.failure === undefined ? null : <ErrorNotice failure={detail.failure} />}
      {detail.isLoading ? <CircularProgress aria-label="Loading character" /> : null}
      {character === undefined || detail.value === undefined ? null : (
        <>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 3 }}>
            <Typography id="character-heading" variant="h4" component="h2" sx={{ flexGrow: 1 }}>
              {character.name}
            </Typography>
            <Button onClick={() => setDialog('rename')}>Rename</Button>
            <Button color="error" onClick={() => setDialog('delete')}>
              Delete
            </Button>
          </Stack>
          <ReferencePhotos character={character} references={detail.value.references} onChanged={detail.reload} />
          {dialog === 'rename' ? (
            <CharacterNameDialog
              title={`Rename ${character.name}`}
              confirmLabel="Save"
              initialName={character.name}
              onClose={() => setDialog(undefined)}
              onSubmit={async (name) => {
                const result = await studio.characters.update({ id: character.id, name });
                if (!result.ok) return result.error;
                detail.reload();
                return undefined;
              }}
            />
          ) : null}
          {dialog === 'delete' ? (
            <DeleteCharacterDialog
              character={character}
              onClose={() => setDialog(undefined)}
              onDelete={async (keepGeneratedImages) => {
                const result = await studio.characters.delete({ id: character.id, keepGeneratedImages });
                if (!result.ok) return result.error;
                navigate('characters');
                return undefined;
              }}
            />
          ) : null}
        </>
      )}
    </section>
  );
}
