// The Characters section: every character as a card, and a button to create one.
import AddIcon from '@mui/icons-material/Add';
import { Box, Button, CircularProgress, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { navigate } from '../../app/navigation.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { CharacterCard } from './components/CharacterCard.tsx';
import { CharacterNameDialog } from './components/CharacterNameDialog.tsx';
import { useCharacters } from './hooks/use-characters.ts';

export function CharactersPage() {
  const studio = useStudio();
  const characters = useCharacters();
  const [isCreating, setCreating] = useState(false);

  return (
    <section aria-labelledby="characters-heading">
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 3 }}>
        <Typography id="characters-heading" variant="h4" component="h2">
          Characters
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
          New character
        </Button>
      </Stack>
      {characters.failure === undefined ? null : <ErrorNotice failure={characters.failure} />}
      {characters.isLoading ? <CircularProgress aria-label="Loading characters" /> : null}
      {characters.value?.length === 0 ? (
        <Typography color="text.secondary">No characters yet. Create one, then add a few clear photos of the person's face.</Typography>
      ) : null}
      <Box component="ul" aria-label="Characters" sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: 2, p: 0, m: 0 }}>
        {characters.value?.map((character) => <CharacterCard key={character.id} character={character} />)}
      </Box>
      {isCreating ? (
        <CharacterNameDialog
          title="New character"
          confirmLabel="Create"
          onClose={() => setCreating(false)}
          onSubmit={async (name) => {
            const result = await studio.characters.create({ name });
            if (!result.ok) return result.error;
            navigate('characters', result.value.id);
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}
