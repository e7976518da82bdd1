// Loads something from main once (and again on reload()), keeping the failure to show.
import { useCallback, useEffect, useState } from 'react';
import type { Failure, Result } from '../../src-preload/contract/index.ts';
import { useStudio } from '../client/studio-context.tsx';
import type { StudioClient } from '../client/studio-client.ts';

export function useLoad<T>(load: (studio: StudioClient) => Promise<Result<T>>, deps: readonly unknown[] = []): { value: T | undefined; failure: Failure | undefined; reload: () => void } {
  const studio = useStudio();
  const [state, setState] = useState<{ value: T | undefined; failure: Failure | undefined }>({ value: undefined, failure: undefined });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let isCurrent = true;
    void load(studio).then((result) => {
      if (isCurrent) setState((previous) => (result.ok ? { value: result.value, failure: undefined } : { value: previous.value, failure: result.error }));
    });
    return () => {
      isCurrent = false;
    };
    // `load` is a new function each render; `deps` names what it reads.
  }, [studio, generation, ...deps]);
  return { ...state, reload: useCallback(() => setGeneration((n) => n + 1), []) };
}
