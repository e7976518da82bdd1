// The badge on everything under a research (non-commercial) licence.
import { Chip, Tooltip } from '@mui/material';

export function NonCommercialBadge({ licence }: { licence?: string }) {
  return (
    <Tooltip title={`${licence ?? 'Research licence'}: non-commercial use only. Images made with it may not be used commercially.`}>
      <Chip size="small" color="secondary" variant="outlined" label="Non-commercial" aria-label={`Non-commercial licence${licence ? `: ${licence}` : ''}`} />
    </Tooltip>
  );
}
