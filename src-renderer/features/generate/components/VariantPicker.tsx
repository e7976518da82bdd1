// The FaceID variant: only installed ones can be chosen; the others say where to get them.
import { Link, Stack, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { FACEID_VARIANTS, type FaceIdVariant } from '../../../../src-preload/contract/generation.ts';
import type { Model } from '../../../../src-preload/contract/models.ts';
import { routeHash } from '../../../app/navigation.ts';
import { VARIANT_HELP, VARIANT_LABELS } from '../model-choices.ts';

export function VariantPicker({ value, installed, onChange }: { value: FaceIdVariant; installed: Map<FaceIdVariant, Model>; onChange: (variant: FaceIdVariant) => void }) {
  const missing = FACEID_VARIANTS.filter((variant) => !installed.has(variant));
  return (
    <Stack spacing={0.5}>
      <Typography variant="body2" color="text.secondary" id="variant-label">
        FaceID variant
      </Typography>
      <ToggleButtonGroup exclusive size="small" value={installed.has(value) ? value : null} onChange={(_e, next: FaceIdVariant | null) => next !== null && onChange(next)} aria-labelledby="variant-label" sx={{ flexWrap: 'wrap', gap: 0.5, '& .MuiToggleButtonGroup-grouped': { border: 1, borderColor: 'divider', borderRadius: 1, ml: 0 } }}>
        {FACEID_VARIANTS.map((variant) => (
          <Tooltip key={variant} title={installed.has(variant) ? VARIANT_HELP[variant] : `${VARIANT_HELP[variant]} Not installed: get it in Models.`}>
            <span>
              <ToggleButton value={variant} disabled={!installed.has(variant)} aria-label={VARIANT_LABELS[variant]} sx={{ textTransform: 'none', px: 1.25 }}>
                {VARIANT_LABELS[variant]}
              </ToggleButton>
            </span>
          </Tooltip>
        ))}
      </ToggleButtonGroup>
      {missing.length === 0 ? null : (
        <Typography variant="caption" color="text.secondary">
          Not installed: {missing.map((v) => VARIANT_LABELS[v]).join(', ')} — <Link href={routeHash('models')}>get them in Models</Link>
        </Typography>
      )}
    </Stack>
  );
}
