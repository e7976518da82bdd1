// One character in the grid: cover photo, name, photo count; opens the character page.
import { Avatar, Box, Card, CardActionArea, CardContent, CardMedia, Typography } from '@mui/material';
import type { Character } from '../../../../src-preload/contract/characters.ts';
import { routeHash } from '../../../app/navigation.ts';
import { useStudio } from '../../../client/studio-context.tsx';

export function CharacterCard({ character }: { character: Character }) {
  const studio = useStudio();
  return (
    <Card component="li" variant="outlined" sx={{ listStyle: 'none' }}>
      <CardActionArea href={routeHash('characters', character.id)} aria-label={`Open ${character.name}`}>
        {character.coverThumbnail === null ? (
          <Box sx={{ aspectRatio: '1', display: 'grid', placeItems: 'center', bgcolor: 'action.hover' }}>
            <Avatar sx={{ width: 72, height: 72, fontSize: 32 }}>{character.name.slice(0, 1).toUpperCase()}</Avatar>
          </Box>
        ) : (
          <CardMedia component="img" image={studio.mediaUrl(character.coverThumbnail)} alt="" sx={{ aspectRatio: '1', objectFit: 'cover' }} />
        )}
        <CardContent>
          <Typography variant="subtitle1" component="h3" noWrap>
            {character.name}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {character.referenceCount} reference photo{character.referenceCount === 1 ? '' : 's'}
          </Typography>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}
