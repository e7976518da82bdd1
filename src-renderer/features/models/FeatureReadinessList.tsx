// Each feature: ready or missing, and for every piece either where it was found or the one thing to do about it
// (download it, point the studio at a folder that has it, or read why it cannot be fetched).
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import FolderOpenIcon from '@mui/icons-material/FolderOpen';
import InfoIcon from '@mui/icons-material/Info';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, Box, Button, Chip, List, ListItem, ListItemIcon, ListItemText, Stack, Tooltip, Typography } from '@mui/material';
import type { ModelsReadiness } from '../../../src-preload/contract/models.ts';
import { navigate } from '../../app/navigation.ts';
import { DownloadControl, type DownloadActions } from './DownloadControl.tsx';
import { NonCommercialBadge } from './NonCommercialBadge.tsx';
import type { DownloadStatus } from './use-downloads.ts';

type Feature = ModelsReadiness['features'][number];
type Piece = Feature['pieces'][number];

const STATUS_CHIPS = {
  ready: { label: 'Ready', color: 'success' },
  missing: { label: 'Missing pieces', color: 'warning' },
  hidden: { label: 'Hidden', color: 'default' },
} as const;

export function FeatureReadinessList({ features, downloads, actions }: { features: readonly Feature[]; downloads: ReadonlyMap<string, DownloadStatus>; actions: DownloadActions }) {
  return (
    <Stack spacing={1}>
      {features.map((feature) => (
        // Missing features open, ready ones folded: what needs doing stays on the first screen.
        <Accordion key={feature.id} variant="outlined" disableGutters defaultExpanded={feature.status === 'missing'} slotProps={{ transition: { unmountOnExit: true } }} component="article" aria-labelledby={`feature-${feature.id}`}>
          <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-label={`Show or hide the pieces of ${feature.title}`}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <Typography id={`feature-${feature.id}`} variant="subtitle1" component="h4" sx={{ fontWeight: 600 }}>
                {feature.title}
              </Typography>
              <Chip size="small" label={STATUS_CHIPS[feature.status].label} color={STATUS_CHIPS[feature.status].color} aria-label={`${feature.title}: ${STATUS_CHIPS[feature.status].label}`} />
              {feature.nonCommercial ? <NonCommercialBadge /> : null}
              <Typography variant="body2" color="text.secondary">
                {feature.pieces.filter((piece) => piece.foundAt !== null).length} of {feature.pieces.length} pieces here
              </Typography>
            </Stack>
          </AccordionSummary>
          <AccordionDetails sx={{ pt: 0 }}>
            {feature.hiddenReason === null ? null : (
              <Typography variant="body2" color="text.secondary">
                {feature.hiddenReason}
              </Typography>
            )}
            {feature.status === 'hidden' ? null : (
              <List dense disablePadding aria-label={`Pieces of ${feature.title}`}>
                {feature.pieces.map((piece) => (
                  <PieceRow key={piece.role} piece={piece} downloads={downloads} actions={actions} />
                ))}
              </List>
            )}
          </AccordionDetails>
        </Accordion>
      ))}
    </Stack>
  );
}

function PieceRow({ piece, downloads, actions }: { piece: Piece; downloads: ReadonlyMap<string, DownloadStatus>; actions: DownloadActions }) {
  const isPresent = piece.foundAt !== null;
  return (
    <ListItem disableGutters sx={{ alignItems: 'flex-start', flexWrap: 'wrap', columnGap: 2 }}>
      <ListItemIcon sx={{ minWidth: 32, mt: 0.5 }}>
        {isPresent ? <CheckCircleIcon color="success" fontSize="small" titleAccess="Present" /> : <ReportProblemIcon color="warning" fontSize="small" titleAccess="Missing" />}
      </ListItemIcon>
      <ListItemText
        sx={{ flex: '1 1 280px', minWidth: 0 }}
        primary={piece.description}
        secondary={isPresent ? `${piece.foundSummary ?? 'Found'} — ${piece.foundAt}` : 'Missing'}
        slotProps={{ secondary: { sx: { overflowWrap: 'anywhere' } } }}
      />
      {isPresent || piece.action === null ? null : (
        <Box sx={{ flex: '0 0 auto', py: 0.5 }}>
          <PieceAction piece={piece} action={piece.action} downloads={downloads} actions={actions} />
        </Box>
      )}
    </ListItem>
  );
}

function PieceAction({ piece, action, downloads, actions }: { piece: Piece; action: NonNullable<Piece['action']>; downloads: ReadonlyMap<string, DownloadStatus>; actions: DownloadActions }) {
  switch (action.type) {
    case 'download':
      return <DownloadControl id={action.catalogId} title={piece.description} sizeBytes={action.sizeBytes} nonCommercial={action.nonCommercial} status={downloads.get(action.catalogId)} actions={actions} />;
    case 'locate':
      return (
        <Stack spacing={0.5} sx={{ maxWidth: 360 }}>
          <Tooltip title="Add the folder that holds this file (ComfyUI or A1111 models folders work) in Settings; the studio reads it in place">
            <Button size="small" variant="outlined" startIcon={<FolderOpenIcon />} aria-label={`Locate ${piece.description}: add a model folder in Settings`} onClick={() => navigate('settings')}>
              Add a model folder
            </Button>
          </Tooltip>
          <Typography variant="caption" color="text.secondary">
            {action.hint}
          </Typography>
        </Stack>
      );
    case 'explain':
      return (
        <Stack direction="row" spacing={0.5} sx={{ maxWidth: 360, alignItems: 'flex-start' }}>
          <InfoIcon fontSize="small" color="info" titleAccess="Why" />
          <Typography variant="caption" color="text.secondary">
            {action.text}
          </Typography>
        </Stack>
      );
  }
}
