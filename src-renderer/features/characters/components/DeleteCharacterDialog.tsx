// Deleting a character asks what happens to the images generated with it.
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControl, FormControlLabel, FormLabel, Radio, RadioGroup } from '@mui/material';
import { useState } from 'react';
import type { Character } from '../../../../src-preload/contract/characters.ts';
import type { Failure } from '../../../../src-preload/contract/index.ts';
import { ErrorNotice } from '../../../common/ErrorNotice.tsx';

export interface DeleteCharacterDialogProps {
  character: Character;
  onDelete: (keepGeneratedImages: boolean) => Promise<Failure | undefined>;
  onClose: () => void;
}

export function DeleteCharacterDialog({ character, onDelete, onClose }: DeleteCharacterDialogProps) {
  const [choice, setChoice] = useState<'keep' | 'delete'>('keep');
  const [failure, setFailure] = useState<Failure>();
  const [isDeleting, setDeleting] = useState(false);

  async function confirm() {
    setDeleting(true);
    const result = await onDelete(choice === 'keep');
    setDeleting(false);
    if (result === undefined) onClose();
    else setFailure(result);
  }

  return (
    <Dialog open onClose={onClose} aria-labelledby="delete-character-title">
      <DialogTitle id="delete-character-title">Delete “{character.name}”?</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Its {character.referenceCount} reference photo{character.referenceCount === 1 ? '' : 's'} will be removed from the library.
        </DialogContentText>
        <FormControl>
          <FormLabel id="generated-images-choice">Images generated with {character.name} ({character.generationCount})</FormLabel>
          <RadioGroup aria-labelledby="generated-images-choice" value={choice} onChange={(event) => setChoice(event.target.value as 'keep' | 'delete')}>
            <FormControlLabel value="keep" control={<Radio />} label="Keep them in the gallery" />
            <FormControlLabel value="delete" control={<Radio />} label="Delete them too" />
          </RadioGroup>
        </FormControl>
        {failure === undefined ? null : <ErrorNotice failure={failure} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button color="error" variant="contained" disabled={isDeleting} onClick={() => void confirm()}>
          Delete character
        </Button>
      </DialogActions>
    </Dialog>
  );
}
