// A slider with a numeric input beside it, one accessible name for both, and a tooltip saying what it does.
import { Box, Slider, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useState } from 'react';

export interface NumberSliderProps {
  label: string;
  /** What the control does to the result. */
  help: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (value: number) => void;
  disabled?: boolean;
}

export function NumberSlider({ label, help, value, min, max, step, onChange, disabled = false }: NumberSliderProps) {
  // The text box keeps what is being typed (e.g. "0." on the way to "0.5") until it is a number in range.
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const clamp = (n: number) => Math.min(max, Math.max(min, n));
  return (
    <Tooltip title={help} placement="top-start" describeChild>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 84px', columnGap: 1.5, alignItems: 'center' }}>
        <Typography variant="body2" component="span" sx={{ gridColumn: '1 / span 2', color: disabled ? 'text.disabled' : 'text.secondary' }}>
          {label}
        </Typography>
        <Slider
          aria-label={label}
          size="small"
          value={value}
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          onChange={(_event, next) => onChange(next as number)}
        />
        <TextField
          size="small"
          type="number"
          value={text}
          disabled={disabled}
          onChange={(event) => {
            setText(event.target.value);
            const n = Number(event.target.value);
            if (event.target.value.trim() !== '' && Number.isFinite(n) && n >= min && n <= max) onChange(n);
          }}
          onBlur={() => {
            const n = Number(text);
            onChange(Number.isFinite(n) && text.trim() !== '' ? clamp(n) : value);
            setText(String(Number.isFinite(n) && text.trim() !== '' ? clamp(n) : value));
          }}
          slotProps={{ htmlInput: { 'aria-label': `${label} value`, min, max, step } }}
        />
      </Box>
    </Tooltip>
  );
}
