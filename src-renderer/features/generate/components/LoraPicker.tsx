// "Add LoRA": inserts `<lora:name:1>` into the prompt, as A1111 users write it; the weight is edited in the text.
import { MenuItem, TextField, Tooltip } from '@mui/material';
import { fileStem } from '../../../../src-preload/contract/model-names.ts';
import type { Model } from '../../../../src-preload/contract/models.ts';
import { withLoraTag } from '../generate-form.ts';

export function LoraPicker({ loras, prompt, onChange }: { loras: readonly Model[]; prompt: string; onChange: (prompt: string) => void }) {
  return (
    <Tooltip title={loras.length === 0 ? 'No LoRA files in your model folders.' : 'Adds <lora:name:1> to the prompt; change the 1 to set its strength (0 turns it off).'} placement="top-start" describeChild>
      <TextField select label="Add LoRA" value="" disabled={loras.length === 0} size="small" onChange={(event) => {
        const lora = loras.find((l) => l.path === event.target.value);
        if (lora !== undefined) onChange(withLoraTag(prompt, lora));
      }}>
        {loras.map((lora) => (
          <MenuItem key={lora.path} value={lora.path}>
            {fileStem(lora.name)}
          </MenuItem>
        ))}
      </TextField>
    </Tooltip>
  );
}
