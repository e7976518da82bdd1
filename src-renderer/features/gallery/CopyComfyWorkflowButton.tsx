// "Copy as ComfyUI workflow": the generation as ComfyUI editor JSON on the clipboard (paste it into ComfyUI), with
// what ComfyUI cannot do the same way said next to the button.
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Button, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import { useStudio } from '../../client/studio-context.tsx';

export function CopyComfyWorkflowButton({ generationId }: { generationId: string }) {
  const studio = useStudio();
  const [status, setStatus] = useState<string | undefined>();
  const copy = async () => {
    const result = await studio.generations.comfyWorkflow({ id: generationId });
    if (!result.ok) return setStatus(`Not copied: ${result.error.userMessage}`);
    try {
      await navigator.clipboard.writeText(JSON.stringify(result.value.workflow, null, 2));
      setStatus(['Copied. Paste it into ComfyUI.', ...result.value.notes].join(' '));
    } catch (error) {
      setStatus(`Not copied: the clipboard refused (${(error as Error).message}).`);
    }
  };
  return (
    <>
      <Tooltip title="Copy this image's settings as a ComfyUI workflow (stock nodes and ComfyUI_IPAdapter_plus)">
        <Button variant="outlined" startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
          Copy as ComfyUI workflow
        </Button>
      </Tooltip>
      {status === undefined ? null : (
        <Typography role="status" variant="caption" color="text.secondary" sx={{ flexBasis: '100%' }}>
          {status}
        </Typography>
      )}
    </>
  );
}
