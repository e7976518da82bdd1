// The inpaint editor: paint (B) or erase (E) the area to repaint over the source image, with size ([ ]), hardness,
// invert, clear, mask the face (detector boxes), undo/redo (Ctrl/Cmd+Z/Y), overlay opacity, zoom (wheel) and pan (drag with Space held or the middle
// button). "Use mask" stores the mask in the library and returns to Generate with it set.
import BrushIcon from '@mui/icons-material/Brush';
import PanToolIcon from '@mui/icons-material/PanTool';
import RedoIcon from '@mui/icons-material/Redo';
import UndoIcon from '@mui/icons-material/Undo';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import { Box, Button, IconButton, Link, Paper, Stack, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import { navigate, routeHash } from '../../app/navigation.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { NumberSlider } from '../../common/NumberSlider.tsx';
import { isModKey, isTypingTarget, useKeydown, withShortcut } from '../../common/shortcuts.ts';
import { usePersistentState } from '../../common/use-persistent-state.ts';
import { fileToBase64 } from '../../common/read-file.ts';
import { FORM_STORAGE_KEY } from '../generate/form-store.ts';
import { acceptStoredForm, DEFAULT_FORM, type GenerateForm } from '../generate/generate-form.ts';
import { MaskCanvas, type MaskTool } from './mask-canvas.ts';

type Tool = MaskTool | 'pan';

export function InpaintEditor() {
  const studio = useStudio();
  const [form, setForm] = usePersistentState<GenerateForm>(FORM_STORAGE_KEY, DEFAULT_FORM, acceptStoredForm);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const mask = useRef<MaskCanvas | undefined>(undefined);
  const [size, setSize] = useState<{ width: number; height: number } | undefined>();
  const [tool, setTool] = useState<Tool>('brush');
  const [brush, setBrush] = useState(24);
  const [hardness, setHardness] = useState(0.7);
  const [opacity, setOpacity] = useState(0.55);
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const [, setHistoryVersion] = useState(0);
  const [failure, setFailure] = useState<Failure | undefined>();
  const [isSaving, setSaving] = useState(false);
  const drag = useRef<{ mode: 'paint' | 'pan'; x: number; y: number } | undefined>(undefined);
  const spaceHeld = useRef(false);
  const touched = () => setHistoryVersion((v) => v + 1);

  const fit = useCallback((width: number, height: number) => {
    const box = viewport.current?.getBoundingClientRect();
    if (box === undefined) return;
    const zoom = Math.min(box.width / width, box.height / height) * 0.95;
    setView({ zoom, x: (box.width - width * zoom) / 2, y: (box.height - height * zoom) / 2 });
  }, []);

  const onImageLoad = (event: React.SyntheticEvent<HTMLImageElement>) => {
    const { naturalWidth: width, naturalHeight: height } = event.currentTarget;
    setSize({ width, height });
    setBrush(Math.max(2, Math.round(Math.min(width, height) / 10)));
    fit(width, height);
  };

  useEffect(() => {
    if (size === undefined || canvasRef.current === null) return;
    canvasRef.current.width = size.width;
    canvasRef.current.height = size.height;
    mask.current = new MaskCanvas(canvasRef.current);
    touched();
  }, [size]);

  const imagePoint = (event: React.PointerEvent) => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) * size!.width) / rect.width, y: ((event.clientY - rect.top) * size!.height) / rect.height };
  };

  const zoomBy = (factor: number, centerX?: number, centerY?: number) => {
    const box = viewport.current?.getBoundingClientRect();
    if (box === undefined) return;
    const cx = centerX ?? box.width / 2;
    const cy = centerY ?? box.height / 2;
    setView((v) => {
      const zoom = Math.min(64, Math.max(0.05, v.zoom * factor));
      const k = zoom / v.zoom;
      return { zoom, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k };
    });
  };

  useKeydown((event) => {
    if (isTypingTarget(event.target)) return;
    if (event.key === ' ') spaceHeld.current = true;
    const key = event.key.toLowerCase();
    if (isModKey(event) && (key === 'z' || key === 'y')) {
      if (key === 'y' || event.shiftKey) mask.current?.redo();
      else mask.current?.undo();
      touched();
    } else if (event.ctrlKey || event.metaKey || event.altKey) return;
    else if (key === 'b') setTool('brush');
    else if (key === 'e') setTool('eraser');
    else if (key === '[') setBrush((b) => Math.max(1, Math.round(b / 1.25)));
    else if (key === ']') setBrush((b) => Math.min(512, Math.round(b * 1.25)));
    else return;
    event.preventDefault();
  });
  useEffect(() => {
    const up = (event: KeyboardEvent) => {
      if (event.key === ' ') spaceHeld.current = false;
    };
    window.addEventListener('keyup', up);
    return () => window.removeEventListener('keyup', up);
  }, []);

  const maskFaces = async () => {
    const result = await studio.masks.faceBoxes({ image: form.initImage });
    if (!result.ok) {
      setFailure(result.error);
      return;
    }
    if (result.value.faces.length === 0) {
      setFailure({ code: 'face.none-found', userMessage: 'No face was found in this picture.', hint: 'Paint the face by hand with the brush (B).' });
      return;
    }
    // Boxes come in the detector's pixels of the same image; a little margin takes in hair line and chin.
    const scaleX = (size?.width ?? result.value.width) / result.value.width;
    const scaleY = (size?.height ?? result.value.height) / result.value.height;
    for (const { box } of result.value.faces) {
      const [x1, y1, x2, y2] = box;
      const marginX = (x2 - x1) * 0.15;
      const marginY = (y2 - y1) * 0.15;
      mask.current?.fillEllipse((x1 - marginX) * scaleX, (y1 - marginY) * scaleY, (x2 - x1 + 2 * marginX) * scaleX, (y2 - y1 + 2 * marginY) * scaleY);
    }
    setFailure(undefined);
    touched();
  };

  const useMask = async () => {
    const canvas = mask.current;
    if (canvas === undefined) return;
    if (canvas.isEmpty()) {
      setFailure({ code: 'invalid-request', userMessage: 'The mask is empty.', hint: 'Paint over the part of the picture to repaint (B), then press Use mask.' });
      return;
    }
    setSaving(true);
    const png = await canvas.toPng();
    const result = await studio.masks.save({ dataBase64: await fileToBase64(new File([png], 'mask.png')) });
    setSaving(false);
    if (!result.ok) {
      setFailure(result.error);
      return;
    }
    setForm((previous) => ({ ...previous, maskImage: result.value.image }));
    navigate('generate');
  };

  if (form.initImage === '') {
    return (
      <Paper variant="outlined" sx={{ p: 4 }}>
        <Typography variant="h5" component="h2" gutterBottom>
          Inpaint
        </Typography>
        <Typography color="text.secondary">
          No source image. Open an image in the <Link href={routeHash('gallery')}>Gallery</Link> and choose Inpaint.
        </Typography>
      </Paper>
    );
  }

  const cursor = tool === 'pan' ? 'grab' : 'crosshair';
  return (
    <section aria-labelledby="inpaint-heading">
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 1.5 }}>
        <Typography id="inpaint-heading" variant="h4" component="h2">
          Inpaint
        </Typography>
        <Stack direction="row" spacing={1}>
          <Button onClick={() => navigate('generate')}>Back to Generate</Button>
          <Tooltip title="Store this mask and go back to Generate to repaint the masked area">
            <span>
              <Button variant="contained" onClick={() => void useMask()} disabled={isSaving || size === undefined}>
                Use mask
              </Button>
            </span>
          </Tooltip>
        </Stack>
      </Stack>
      {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
      <Box sx={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 280px', gap: 2 }}>
        <Box
          ref={viewport}
          role="application"
          aria-label="Mask canvas"
          onWheel={(event) => {
            const box = viewport.current!.getBoundingClientRect();
            zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
          }}
          sx={{ position: 'relative', overflow: 'hidden', height: 'calc(100vh - 200px)', minHeight: 420, bgcolor: 'action.hover', borderRadius: 1, touchAction: 'none' }}
        >
          <Box sx={{ position: 'absolute', left: 0, top: 0, transformOrigin: '0 0', transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` }}>
            <Box component="img" src={studio.mediaUrl(form.initImage)} alt="Image to inpaint" onLoad={onImageLoad} draggable={false} sx={{ display: 'block', imageRendering: view.zoom > 2 ? 'pixelated' : 'auto', userSelect: 'none' }} />
            <Box
              component="canvas"
              ref={canvasRef}
              aria-label="Mask"
              onPointerDown={(event: React.PointerEvent<HTMLCanvasElement>) => {
                if (size === undefined || mask.current === undefined) return;
                event.currentTarget.setPointerCapture(event.pointerId);
                if (tool === 'pan' || event.button === 1 || spaceHeld.current) {
                  drag.current = { mode: 'pan', x: event.clientX, y: event.clientY };
                } else if (event.button === 0) {
                  drag.current = { mode: 'paint', x: event.clientX, y: event.clientY };
                  const p = imagePoint(event);
                  mask.current.begin(p.x, p.y, tool, brush, hardness);
                  touched();
                }
              }}
              onPointerMove={(event: React.PointerEvent<HTMLCanvasElement>) => {
                const current = drag.current;
                if (current === undefined || mask.current === undefined) return;
                if (current.mode === 'pan') {
                  setView((v) => ({ ...v, x: v.x + event.clientX - current.x, y: v.y + event.clientY - current.y }));
                  drag.current = { ...current, x: event.clientX, y: event.clientY };
                } else {
                  const p = imagePoint(event);
                  mask.current.extend(p.x, p.y, tool === 'pan' ? 'brush' : tool, brush, hardness);
                }
              }}
              onPointerUp={() => {
                drag.current = undefined;
                mask.current?.end();
              }}
              sx={{ position: 'absolute', inset: 0, width: '100%', height: '100%', opacity, cursor, imageRendering: view.zoom > 2 ? 'pixelated' : 'auto' }}
            />
          </Box>
        </Box>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Stack spacing={2}>
            <ToggleButtonGroup exclusive size="small" value={tool} onChange={(_e, next: Tool | null) => next !== null && setTool(next)} aria-label="Tool" fullWidth>
              <Tooltip title={withShortcut('Brush: paint the area to repaint', 'brush')}>
                <ToggleButton value="brush" aria-label="Brush">
                  <BrushIcon fontSize="small" />
                </ToggleButton>
              </Tooltip>
              <Tooltip title={withShortcut('Eraser: take area out of the mask', 'eraser')}>
                <ToggleButton value="eraser" aria-label="Eraser" sx={{ fontWeight: 700 }}>
                  E
                </ToggleButton>
              </Tooltip>
              <Tooltip title="Pan: drag the picture (or hold Space while dragging)">
                <ToggleButton value="pan" aria-label="Pan">
                  <PanToolIcon fontSize="small" />
                </ToggleButton>
              </Tooltip>
            </ToggleButtonGroup>
            <NumberSlider label="Brush size" help={`Brush diameter in image pixels. ${withShortcut('Smaller', 'smaller')}, ${withShortcut('larger', 'larger')}.`} value={brush} min={1} max={512} step={1} onChange={setBrush} />
            <NumberSlider label="Hardness" help="Edge of the brush: 1 is a hard edge, lower values fade out towards the rim." value={hardness} min={0} max={1} step={0.05} onChange={setHardness} />
            <NumberSlider label="Feather" help="How far (in pixels) the engine blends the repainted area into the rest, so no seam shows." value={form.featherPx} min={0} max={64} step={1} onChange={(featherPx) => setForm((f) => ({ ...f, featherPx }))} />
            <NumberSlider label="Overlay opacity" help="How strongly the mask is shown over the picture (display only)." value={opacity} min={0.05} max={1} step={0.05} onChange={setOpacity} />
            <NumberSlider label="Strength" help="How much the masked area changes: low keeps its colours and shapes, 1 repaints it freely." value={form.strength} min={0} max={1} step={0.05} onChange={(strength) => setForm((f) => ({ ...f, strength }))} />
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
              <Tooltip title={withShortcut('Undo the last stroke', 'undo')}>
                <span>
                  <IconButton aria-label="Undo" disabled={mask.current?.canUndo !== true} onClick={() => { mask.current?.undo(); touched(); }}>
                    <UndoIcon />
                  </IconButton>
                </span>
              </Tooltip>
              <Tooltip title={withShortcut('Redo', 'redo')}>
                <span>
                  <IconButton aria-label="Redo" disabled={mask.current?.canRedo !== true} onClick={() => { mask.current?.redo(); touched(); }}>
                    <RedoIcon />
                  </IconButton>
                </span>
              </Tooltip>
              <Tooltip title="Zoom in (or scroll)">
                <IconButton aria-label="Zoom in" onClick={() => zoomBy(1.25)}>
                  <ZoomInIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Zoom out (or scroll)">
                <IconButton aria-label="Zoom out" onClick={() => zoomBy(1 / 1.25)}>
                  <ZoomOutIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Fit the picture in the view">
                <Button size="small" onClick={() => size !== undefined && fit(size.width, size.height)}>
                  Fit
                </Button>
              </Tooltip>
            </Stack>
            <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
              <Tooltip title="Swap painted and unpainted areas">
                <Button variant="outlined" size="small" onClick={() => { mask.current?.invert(); touched(); }}>
                  Invert
                </Button>
              </Tooltip>
              <Tooltip title="Mask every face the face detector finds (needs the insightface face models)">
                <Button variant="outlined" size="small" onClick={() => void maskFaces()}>
                  Mask the face
                </Button>
              </Tooltip>
              <Tooltip title="Remove the whole mask (undo brings it back)">
                <Button variant="outlined" size="small" onClick={() => { mask.current?.clear(); touched(); }}>
                  Clear
                </Button>
              </Tooltip>
            </Stack>
            <Typography variant="caption" color="text.secondary">
              Zoom {Math.round(view.zoom * 100)}% · {size === undefined ? '' : `${size.width}×${size.height}`}
            </Typography>
          </Stack>
        </Paper>
      </Box>
    </section>
  );
}
