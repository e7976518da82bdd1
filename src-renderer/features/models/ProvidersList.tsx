// Which onnxruntime execution providers work on this machine, probed live through the contract (models.providers).
import { Chip, CircularProgress, Stack, Tooltip, Typography } from '@mui/material';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { useLoad } from '../../common/use-load.ts';

export function ProvidersList() {
  const providers = useLoad((s) => s.models.providers({}));
  if (providers.failure !== undefined) return <ErrorNotice failure={providers.failure} />;
  if (providers.value === undefined) {
    return (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <CircularProgress size={16} aria-label="Checking execution providers" />
        <Typography variant="body2">Trying each execution provider…</Typography>
      </Stack>
    );
  }
  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} role="list" aria-label="Execution providers">
      {providers.value.providers.map((provider) => (
        <Tooltip key={provider.name} title={provider.works ? `${provider.name} works here${provider.bundled ? ' (bundled with onnxruntime)' : ''}` : `${provider.name} does not work here: ${provider.detail ?? 'unknown reason'}`}>
          <Chip role="listitem" size="small" color={provider.works ? 'success' : 'default'} variant={provider.works ? 'filled' : 'outlined'} label={`${provider.name}: ${provider.works ? 'works' : 'unavailable'}`} aria-label={`${provider.name}: ${provider.works ? 'works' : `unavailable, ${provider.detail ?? ''}`}`} />
        </Tooltip>
      ))}
    </Stack>
  );
}
