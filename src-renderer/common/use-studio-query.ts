// Loads something from main, reloads it when a given event arrives, and keeps the failure to show.
import { useCallback, useEffect, useState } from 'react';
import type { Failure, Result, StudioEventName } from '../../src-preload/contract/index.ts';
import { useStudio } from '../client/studio-context.tsx';
import type { StudioClient } from '../client/studio-client.ts';

export interface StudioQuery<T> {
  value: T | undefined;
  failure: Failure | undefined;
  isLoading: boolean;
  reload: () => void;
}

export function useStudioQuery<T>(load: (studio: StudioClient) => Promise<Result<T>>, reloadOn: StudioEventName, deps: readonly unknown[]): StudioQuery<T> {
  const studio = useStudio();
  const [state, setState] = useState<{ value: T | undefined; failure: Failure | undefined; isLoading: boolean }>({ value: undefined, failure: undefined, isLoading: true });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    let isCurrent = true;
    void load(studio).then((result) => {
      if (!isCurrent) return;
      setState((previous) => (result.ok ? { value: result.value, failure: undefined, isLoading: false } : { value: previous.value, failure: result.error, isLoading: false }));
    });
    return () => {
      isCurrent = false;
    };
    // `load` is a new function each render; `deps` names what it reads.
  }, [studio, generation, ...deps]);

  useEffect(() => studio.on(reloadOn, reload), [studio, reloadOn, reload]);

  return { ...state, reload };
}
