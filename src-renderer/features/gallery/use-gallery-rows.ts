// The gallery's rows, loaded in blocks as the grid scrolls. A block follows the previous block's keyset cursor when
// it is known (a scroll); a jump past unloaded blocks starts at an offset instead.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GalleryQuery } from '../../../src-preload/contract/gallery.ts';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import type { Failure } from '../../../src-preload/contract/index.ts';
import { useStudio } from '../../client/studio-context.tsx';

/** Rows per request: a screenful of tiles and some, so the first answer is small and fast. */
export const BLOCK_SIZE = 60;

export type GalleryFilter = Omit<GalleryQuery, 'after' | 'offset' | 'limit' | 'withTotal'>;

export interface GalleryRows {
  /** Null until the first block answered. */
  total: number | null;
  row(index: number): Generation | undefined;
  /** Asks for the blocks covering rows [first, last]. */
  ensure(first: number, last: number): void;
  /** Replaces one row in place (e.g. after favouriting). */
  patch(generation: Generation): void;
  reload(): void;
  failure: Failure | undefined;
  /** How long the first block took, request to answer (ms). */
  firstBlockMs: number | undefined;
}

export function useGalleryRows(filter: GalleryFilter): GalleryRows {
  const studio = useStudio();
  const blocks = useRef(new Map<number, Generation[]>());
  const cursors = useRef(new Map<number, string | null>());
  const loading = useRef(new Set<number>());
  const epoch = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [failure, setFailure] = useState<Failure | undefined>();
  const [firstBlockMs, setFirstBlockMs] = useState<number | undefined>();
  const [, setVersion] = useState(0);
  const filterKey = JSON.stringify(filter);

  const loadBlock = useCallback(
    (block: number) => {
      if (blocks.current.has(block) || loading.current.has(block)) return;
      loading.current.add(block);
      const myEpoch = epoch.current;
      const after = cursors.current.get(block - 1);
      const started = performance.now();
      void studio.gallery
        .page({ ...(JSON.parse(filterKey) as GalleryFilter), limit: BLOCK_SIZE, withTotal: block === 0, ...(typeof after === 'string' ? { after } : { offset: block * BLOCK_SIZE }) })
        .then((result) => {
          if (myEpoch !== epoch.current) return; // the filter changed meanwhile
          loading.current.delete(block);
          if (!result.ok) {
            setFailure(result.error);
            return;
          }
          blocks.current.set(block, result.value.generations);
          cursors.current.set(block, result.value.nextCursor);
          if (result.value.total !== null) setTotal(result.value.total);
          if (block === 0) setFirstBlockMs(performance.now() - started);
          setVersion((v) => v + 1);
        });
    },
    [studio, filterKey],
  );

  const reset = useCallback(() => {
    epoch.current++;
    blocks.current = new Map();
    cursors.current = new Map();
    loading.current = new Set();
    setFailure(undefined);
    loadBlock(0);
  }, [loadBlock]);

  // The old count stays until the new one arrives: one render less on every filter change.
  useEffect(reset, [reset]);

  return {
    total,
    failure,
    firstBlockMs,
    row: (index) => blocks.current.get(Math.floor(index / BLOCK_SIZE))?.[index % BLOCK_SIZE],
    ensure: (first, last) => {
      for (let block = Math.floor(Math.max(0, first) / BLOCK_SIZE); block <= Math.floor(Math.max(0, last) / BLOCK_SIZE); block++) loadBlock(block);
    },
    patch: (generation) => {
      for (const rows of blocks.current.values()) {
        const index = rows.findIndex((row) => row.id === generation.id);
        if (index >= 0) rows[index] = generation;
      }
      setVersion((v) => v + 1);
    },
    reload: reset,
  };
}
