// A prompt box with its CLIP token count: A1111 packs prompts into 75-token chunks, and the counter shows both.
import { Box, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useStudio } from '../../../client/studio-context.tsx';

export function PromptField({ label, help, value, onChange, model, rows }: { label: string; help: string; value: string; onChange: (text: string) => void; model: string; rows: number }) {
  const studio = useStudio();
  const [count, setCount] = useState<{ tokens: number; chunks: number } | undefined>();

  useEffect(() => {
    let isCurrent = true;
    const timer = setTimeout(() => {
      void studio.prompts.tokenCount({ text: value, ...(model === '' ? {} : { model }) }).then((result) => {
        if (isCurrent && result.ok) setCount(result.value);
      });
    }, 200);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [studio, value, model]);

  const counter = count === undefined ? '' : `${count.tokens}/${count.chunks * 75}`;
  return (
    <Box sx={{ position: 'relative' }}>
      <Tooltip title={help} placement="top-start" describeChild>
        <TextField label={label} value={value} onChange={(event) => onChange(event.target.value)} multiline minRows={rows} maxRows={12} fullWidth />
      </Tooltip>
      <Tooltip title="Tokens used / room in the 75-token chunks; a new chunk starts after each 75.">
        <Typography
          variant="caption"
          aria-label={`${label} tokens`}
          sx={{ position: 'absolute', right: 10, bottom: 4, color: count !== undefined && count.chunks > 1 ? 'warning.main' : 'text.secondary' }}
        >
          {counter}
          {count !== undefined && count.chunks > 1 ? ` · ${count.chunks} chunks` : ''}
        </Typography>
      </Tooltip>
    </Box>
  );
}
