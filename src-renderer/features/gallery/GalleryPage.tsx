// The Gallery: a virtualized grid (only the visible rows are in the DOM, so 100k images scroll like 100), filters,
// keyboard (arrows, Enter, F, Delete), a detail view, and delete with undo (the delete is sent when the undo expires).
import { Alert, Box, Button, Snackbar, Stack, Typography } from '@mui/material';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import type { Failure } from '../../../src-preload/contract/index.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { isDialogOpen } from '../../common/shortcuts.ts';
import { useLoad } from '../../common/use-load.ts';
import { usePersistentState } from '../../common/use-persistent-state.ts';
import { exportPng } from './export-png.ts';
import { GalleryFilters } from './GalleryFilters.tsx';
import { GalleryTile } from './GalleryTile.tsx';
import { GenerationDetail } from './GenerationDetail.tsx';
import { useGalleryRows, type GalleryFilter } from './use-gallery-rows.ts';

const TILE_MIN = 168;
const GAP = 8;
const UNDO_MS = 6000;
const DEFAULT_FILTER: GalleryFilter = { favoriteOnly: false, sort: 'newest' };
const NONE: never[] = [];

function acceptFilter(stored: unknown): GalleryFilter | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const s = stored as Partial<GalleryFilter>;
  return { ...DEFAULT_FILTER, ...s, favoriteOnly: s.favoriteOnly === true, sort: s.sort === 'oldest' || s.sort === 'identity' ? s.sort : 'newest' };
}

export function GalleryPage() {
  const studio = useStudio();
  const [filter, setFilter] = usePersistentState<GalleryFilter>('faceid-studio.gallery-filter.v1', DEFAULT_FILTER, acceptFilter);
  const rows = useGalleryRows(filter);
  const characters = useLoad(async (s) => {
    const result = await s.characters.list({});
    return result.ok ? { ok: true, value: result.value.characters } : result;
  });
  const facets = useLoad((s) => s.gallery.facets({}));
  const [failure, setFailure] = useState<Failure | undefined>();
  const [selected, setSelected] = useState(0);
  const [openIndex, setOpenIndex] = useState<number | undefined>();
  const [pendingDeletes, setPendingDeletes] = useState<ReadonlyMap<string, ReturnType<typeof setTimeout>>>(new Map());
  const [undoable, setUndoable] = useState<Generation | undefined>();
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => studio.on('generation.created', rows.reload), [studio, rows.reload]);

  const columns = Math.max(1, Math.floor((width - 16 + GAP) / (TILE_MIN + GAP)));
  const tile = Math.floor((width - 16 - GAP * (columns - 1)) / columns);
  const total = rows.total ?? 0;
  const rowCount = Math.ceil(total / columns);
  const virtualizer = useVirtualizer({ count: rowCount, getScrollElement: () => scroller.current, estimateSize: () => tile + GAP, overscan: 2 });
  const items = virtualizer.getVirtualItems();
  const firstVisible = (items[0]?.index ?? 0) * columns;
  const lastVisible = ((items.at(-1)?.index ?? 0) + 1) * columns - 1;
  useEffect(() => rows.ensure(firstVisible, lastVisible), [rows, firstVisible, lastVisible]);
  useEffect(() => virtualizer.measure(), [tile, virtualizer]);

  const changeFilter = useCallback(
    (next: GalleryFilter) => {
      setFilter(next);
      setSelected(0);
      scroller.current?.scrollTo({ top: 0 });
    },
    [setFilter],
  );

  const characterName = (id: string | null) => characters.value?.find((c) => c.id === id)?.name;

  const toggleFavorite = async (generation: Generation) => {
    const result = await studio.generations.setFavorite({ id: generation.id, favorite: !generation.favorite });
    if (result.ok) rows.patch(result.value);
    else setFailure(result.error);
  };

  const commitDelete = async (generation: Generation) => {
    setPendingDeletes((previous) => {
      const next = new Map(previous);
      next.delete(generation.id);
      return next;
    });
    const result = await studio.generations.delete({ ids: [generation.id] });
    if (!result.ok) setFailure(result.error);
    rows.reload();
    facets.reload();
  };

  const scheduleDelete = (generation: Generation) => {
    if (pendingDeletes.has(generation.id)) return;
    const timer = setTimeout(() => void commitDelete(generation), UNDO_MS);
    setPendingDeletes((previous) => new Map(previous).set(generation.id, timer));
    setUndoable(generation);
  };

  const undoDelete = (generation: Generation) => {
    clearTimeout(pendingDeletes.get(generation.id));
    setPendingDeletes((previous) => {
      const next = new Map(previous);
      next.delete(generation.id);
      return next;
    });
    setUndoable(undefined);
  };

  // A pending delete still happens when the user moves to another page (they asked for it); if the window closes
  // first it is never sent, so an early close keeps the image rather than losing it.

  const select = (index: number) => {
    const clamped = Math.min(Math.max(0, index), Math.max(0, total - 1));
    setSelected(clamped);
    virtualizer.scrollToIndex(Math.floor(clamped / columns));
    return clamped;
  };

  const onGridKey = (event: React.KeyboardEvent) => {
    if (isDialogOpen()) return;
    const current = rows.row(selected);
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns };
    if (event.key in moves) select(selected + (moves[event.key] ?? 0));
    else if (event.key === 'Enter' && current !== undefined) setOpenIndex(selected);
    else if (event.key.toLowerCase() === 'f' && !event.ctrlKey && !event.metaKey && current !== undefined) void toggleFavorite(current);
    else if (event.key === 'Delete' && current !== undefined) scheduleDelete(current);
    else return;
    event.preventDefault();
  };

  const exportOne = (generation: Generation) =>
    void exportPng(generation, studio.mediaUrl(generation.image)).catch((error: unknown) => setFailure({ code: 'internal', userMessage: `Export failed: ${(error as Error).message}` }));

  const open = openIndex === undefined ? undefined : rows.row(openIndex);

  return (
    <section aria-labelledby="gallery-heading">
      <Stack direction="row" sx={{ alignItems: 'baseline', gap: 2, mb: 2 }}>
        <Typography id="gallery-heading" variant="h4" component="h2">
          Gallery
        </Typography>
        <Typography color="text.secondary" aria-label="Image count" aria-live="polite">
          {rows.total === null ? 'Loading…' : `${rows.total.toLocaleString('en-US')} image${rows.total === 1 ? '' : 's'}`}
        </Typography>
      </Stack>
      <GalleryFilters filter={filter} onChange={changeFilter} characters={characters.value ?? NONE} models={facets.value?.models ?? NONE} adapters={facets.value?.adapters ?? NONE} />
      {failure === undefined ? null : <ErrorNotice failure={failure} onClose={() => setFailure(undefined)} />}
      {rows.failure === undefined ? null : <ErrorNotice failure={rows.failure} />}
      {rows.total === 0 ? <Typography color="text.secondary">No images match. Generated images appear here; change the filters to see more.</Typography> : null}
      <Box
        ref={scroller}
        tabIndex={0}
        role="grid"
        aria-label="Images"
        aria-rowcount={rowCount}
        aria-colcount={columns}
        onKeyDown={onGridKey}
        sx={{ height: 'calc(100vh - 230px)', minHeight: 360, overflow: 'auto', contain: 'strict', borderRadius: 1, outlineOffset: 2, px: 1 }}
      >
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => (
            <div key={item.key} role="row" aria-rowindex={item.index + 1} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)`, display: 'flex', gap: GAP }}>
              {Array.from({ length: columns }, (_, column) => {
                const index = item.index * columns + column;
                if (index >= total) return null;
                const generation = rows.row(index);
                return (
                  <GalleryTile
                    key={column}
                    index={index}
                    size={tile}
                    generation={generation}
                    imageUrl={generation === undefined ? undefined : studio.mediaUrl(generation.image)}
                    isSelected={index === selected}
                    isDeleted={generation !== undefined && pendingDeletes.has(generation.id)}
                    onOpen={() => { setSelected(index); setOpenIndex(index); }}
                  />
                );
              })}
            </div>
          ))}
        </Box>
      </Box>
      {open === undefined || openIndex === undefined ? null : (
        <GenerationDetail
          generation={open}
          characterName={characterName(open.characterId)}
          isDeleted={pendingDeletes.has(open.id)}
          onClose={() => setOpenIndex(undefined)}
          onStep={(delta) => {
            const next = select(openIndex + delta);
            rows.ensure(next, next);
            setOpenIndex(next);
          }}
          onFavorite={() => void toggleFavorite(open)}
          onDelete={() => scheduleDelete(open)}
          onUndoDelete={() => undoDelete(open)}
          onExport={() => exportOne(open)}
        />
      )}
      <Snackbar open={undoable !== undefined && pendingDeletes.has(undoable.id)} autoHideDuration={UNDO_MS} onClose={(_e, reason) => reason !== 'clickaway' && setUndoable(undefined)}>
        <Alert severity="info" action={undoable === undefined ? null : <Button color="inherit" size="small" onClick={() => undoDelete(undoable)}>Undo</Button>}>
          Image deleted.
        </Alert>
      </Snackbar>
    </section>
  );
}
