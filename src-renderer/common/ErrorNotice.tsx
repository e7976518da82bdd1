// A failed call, shown the way the user can act on it: what went wrong, then what to do.
import { Alert, AlertTitle } from '@mui/material';
import type { Failure } from '../../src-preload/contract/index.ts';

export function ErrorNotice({ failure, onClose }: { failure: Failure; onClose?: () => void }) {
  return (
    <Alert severity="error" onClose={onClose} sx={{ my: 1 }}>
      <AlertTitle>{failure.userMessage}</AlertTitle>
      {failure.hint}
      {failure.logId === undefined ? null : ` (log id ${failure.logId})`}
    </Alert>
  );
}
