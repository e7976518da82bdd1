// The FaceID variant: only those installed for the checkpoint's base can be chosen; the others say where to get them.
import { Link, Stack, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { FACEID_VARIANTS, type FaceIdVariant } from '../../../../src-preload/contract/generation.ts';
import type { Model, ModelBase } from '../../../../src-preload/contract/models.ts';
import { routeHash } from '../../../app/navigation.ts';
import { BASE_LABELS, VARIANT_HELP, VARIANT_LABELS } from '../model-choices.ts';

export interface VariantPickerProps {
  value: FaceIdVariant;
  base: ModelBase;
  /** The adapters installed for `base`, by variant. */
  installed: ReadonlyMap<FaceIdVariant, Model>;
  onChange: (variant: FaceIdVariant) => void;
}

export function VariantPicker({ value, base, installed, onChange }: VariantPickerProps) {
  const baseLabel = BASE_LABELS[base];
  const missing = FACEID_VARIANTS.filter((variant) => !installed.has(variant));
  return (
    <Stack spacing={0.5}>
      <Typography variant="body2" color="text.secondary" id="variant-label">
        FaceID variant
      </Typography>
      <ToggleButtonGroup exclusive size="small" value={installed.has(value) ? value : null} onChange={(_e, next: FaceIdVariant | null) => next !== null && onChange(next)} aria-labelledby="variant-label" sx={{ flexWrap: 'wrap', gap: 0.5, '& .MuiToggleButtonGroup-grouped': { border: 1, borderColor: 'divider', borderRadius: 1, ml: 0 } }}>
        {FACEID_VARIANTS.map((variant) => (
          <Tooltip key={variant} title={installed.has(variant) ? VARIANT_HELP[variant] : `${VARIANT_HELP[variant]} Not installed for ${baseLabel}: get it in Models.`}>
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
          Not installed for {baseLabel}: {missing.map((v) => VARIANT_LABELS[v]).join(', ')} — <Link href={routeHash('models')}>get them in Models</Link>
        </Typography>
      )}
    </Stack>
  );
}
