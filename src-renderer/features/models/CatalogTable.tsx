// The catalog: every model the studio can fetch, its licence (non-commercial ones badged) and whether it is here.
import { Chip, Link, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material';
import type { ModelsInventory } from '../../../src-preload/contract/models.ts';
import { DownloadControl, type DownloadActions } from './DownloadControl.tsx';
import { formatBytes } from './format.ts';
import { NonCommercialBadge } from './NonCommercialBadge.tsx';
import type { DownloadStatus } from './use-downloads.ts';

const BASE_LABELS = { sd15: 'SD 1.5', sdxl: 'SDXL' } as const;

export function CatalogTable({ entries, downloads, actions }: { entries: ModelsInventory['catalog']; downloads: ReadonlyMap<string, DownloadStatus>; actions: DownloadActions }) {
  if (entries.length === 0) return <Typography color="text.secondary">Nothing in the catalog is available in this mode.</Typography>;
  return (
    <TableContainer>
      <Table size="small" aria-label="Model catalog">
        <TableHead>
          <TableRow>
            <TableCell>Model</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Licence</TableCell>
            <TableCell>Here?</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((entry) => (
            <TableRow key={entry.id}>
              <TableCell sx={{ maxWidth: 300 }}>
                <Typography variant="body2">{entry.title}</Typography>
                <Typography variant="caption" color="text.secondary">
                  {entry.id} · {formatBytes(entry.sizeBytes)}
                  {entry.recommended ? ' · recommended' : ''}
                  {entry.sha256Pinned ? ' · sha256 checked' : ''}
                </Typography>
                {entry.usage === null ? null : (
                  <Typography variant="caption" color="text.secondary" component="div">
                    Use with: {entry.usage.sampler} sampler, {entry.usage.steps.min}–{entry.usage.steps.max} steps, CFG {entry.usage.cfg.min}–{entry.usage.cfg.max}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                {entry.kind}
                {entry.base === null ? '' : ` · ${BASE_LABELS[entry.base]}`}
                {entry.variant === null ? '' : ` · ${entry.variant}`}
              </TableCell>
              <TableCell>
                <Link href={entry.licence.url} target="_blank" rel="noreferrer" variant="body2" aria-label={`Licence of ${entry.title}: ${entry.licence.name}`}>
                  {entry.licence.name}
                </Link>
                {entry.licence.nonCommercial ? (
                  <>
                    {' '}
                    <NonCommercialBadge licence={entry.licence.name} />
                  </>
                ) : null}
              </TableCell>
              <TableCell>
                {entry.installedAt === null ? (
                  <DownloadControl id={entry.id} title={entry.title} sizeBytes={entry.sizeBytes} nonCommercial={entry.licence.nonCommercial} status={downloads.get(entry.id)} actions={actions} />
                ) : (
                  <Chip size="small" color="success" label={entry.installedHow === 'found' ? 'Found in your folders' : 'Downloaded'} title={entry.installedAt} />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
