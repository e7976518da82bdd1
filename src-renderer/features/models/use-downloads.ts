// The latest `models.download` event per catalog id, so each download control shows its own progress and state.
import { useEffect, useState } from 'react';
import type { StudioEventPayload } from '../../../src-preload/contract/index.ts';
import { useStudio } from '../../client/studio-context.tsx';

export type DownloadStatus = StudioEventPayload<'models.download'>;

/** Calls `onSettled` when a download ends (finished, cancelled, failed) so the page can scan again. */
export function useDownloads(onSettled: () => void): ReadonlyMap<string, DownloadStatus> {
  const studio = useStudio();
  const [downloads, setDownloads] = useState<ReadonlyMap<string, DownloadStatus>>(new Map());
  useEffect(
    () =>
      studio.on('models.download', (event) => {
        setDownloads((previous) => {
          const next = new Map(previous);
          // State events carry no byte counts: keep the last progress (a pause shows where it stopped); drop old errors.
          const { error: _oldError, ...before } = previous.get(event.id) ?? { id: event.id, state: event.state };
          next.set(event.id, { ...before, ...event });
          return next;
        });
        if (event.state === 'finished' || event.state === 'cancelled' || event.state === 'failed') onSettled();
      }),
    [studio, onSettled],
  );
  return downloads;
}
