// The keyboard shortcut sheet: opened with "?" (when not typing) or the app bar's keyboard button.
import KeyboardIcon from '@mui/icons-material/Keyboard';
import { Dialog, DialogContent, DialogTitle, IconButton, Table, TableBody, TableCell, TableHead, TableRow, Tooltip } from '@mui/material';
import { useState } from 'react';
import { isDialogOpen, isTypingTarget, SHORTCUTS, useKeydown, withShortcut } from '../../common/shortcuts.ts';

export function ShortcutHelp() {
  const [isOpen, setOpen] = useState(false);
  useKeydown((event) => {
    if (event.key === '?' && !isTypingTarget(event.target) && !isDialogOpen()) {
      event.preventDefault();
      setOpen(true);
    }
  });
  return (
    <>
      <Tooltip title={withShortcut('Keyboard shortcuts', 'help')}>
        <IconButton color="inherit" aria-label="Keyboard shortcuts" onClick={() => setOpen(true)}>
          <KeyboardIcon />
        </IconButton>
      </Tooltip>
      <Dialog open={isOpen} onClose={() => setOpen(false)} aria-labelledby="shortcuts-title" maxWidth="sm" fullWidth>
        <DialogTitle id="shortcuts-title">Keyboard shortcuts</DialogTitle>
        <DialogContent>
          <Table size="small" aria-label="Shortcuts">
            <TableHead>
              <TableRow>
                <TableCell>Keys</TableCell>
                <TableCell>What it does</TableCell>
                <TableCell>Where</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {Object.entries(SHORTCUTS).map(([id, shortcut]) => (
                <TableRow key={id}>
                  <TableCell sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>{shortcut.keys}</TableCell>
                  <TableCell>{shortcut.what}</TableCell>
                  <TableCell sx={{ color: 'text.secondary' }}>{shortcut.where}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </DialogContent>
      </Dialog>
    </>
  );
}
