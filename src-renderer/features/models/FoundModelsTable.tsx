// What the scan identified in the studio's models folder and the user's folders, by content, not by file name.
import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import type { ModelsInventory } from '../../../src-preload/contract/models.ts';
import { fileName, formatBytes } from './format.ts';

const BASE_LABELS = { sd15: 'SD 1.5', sdxl: 'SDXL' } as const;

export function FoundModelsTable({ inventory }: { inventory: ModelsInventory }) {
  const found = inventory.found;
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Folders read: {inventory.roots.map((root) => `${root.path} (${root.layout}${root.error === null ? '' : `: ${root.error}`})`).join('; ')}
      </Typography>
      {found.length === 0 ? (
        <Typography color="text.secondary">No model files in these folders yet.</Typography>
      ) : (
        <TableContainer>
          <Table size="small" aria-label="Models found in folders">
            <TableHead>
              <TableRow>
                <TableCell>File</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Architecture</TableCell>
                <TableCell>Variant</TableCell>
                <TableCell>Where</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {found.map((model) => (
                <TableRow key={model.path}>
                  <TableCell sx={{ maxWidth: 240, overflowWrap: 'anywhere' }}>
                    <Typography variant="body2">{fileName(model.path)}</Typography>
                    <Typography variant="caption" color="text.secondary">
                      {formatBytes(model.sizeBytes)}
                      {model.kind !== null && !model.isFullSize ? ' · tiny test model' : ''}
                    </Typography>
                  </TableCell>
                  <TableCell>
                    <Tooltip title={model.summary}>
                      <span>{model.kind ?? 'not used'}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell>{model.base === null ? '—' : BASE_LABELS[model.base]}</TableCell>
                  <TableCell>{model.variant ?? '—'}</TableCell>
                  <TableCell sx={{ maxWidth: 280, overflowWrap: 'anywhere' }}>
                    <Typography variant="caption">{model.path}</Typography>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
