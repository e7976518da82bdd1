// Names a new character, or renames one.
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import type { Failure } from '../../../../src-preload/contract/index.ts';
import { ErrorNotice } from '../../../common/ErrorNotice.tsx';

export interface CharacterNameDialogProps {
  title: string;
  confirmLabel: string;
  initialName?: string;
  /** Saves the name; answers a failure to show, or undefined when done. */
  onSubmit: (name: string) => Promise<Failure | undefined>;
  onClose: () => void;
}

export function CharacterNameDialog({ title, confirmLabel, initialName = '', onSubmit, onClose }: CharacterNameDialogProps) {
  const [name, setName] = useState(initialName);
  const [failure, setFailure] = useState<Failure>();
  const [isSaving, setSaving] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    const result = await onSubmit(name);
    setSaving(false);
    if (result === undefined) onClose();
    else setFailure(result);
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs" aria-labelledby="character-name-dialog-title">
      <form onSubmit={(event) => void submit(event)}>
        <DialogTitle id="character-name-dialog-title">{title}</DialogTitle>
        <DialogContent>
          <TextField autoFocus fullWidth margin="dense" label="Name" value={name} onChange={(event) => setName(event.target.value)} slotProps={{ htmlInput: { maxLength: 100 } }} />
          {failure === undefined ? null : <ErrorNotice failure={failure} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={isSaving || name.trim() === ''}>
            {confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
