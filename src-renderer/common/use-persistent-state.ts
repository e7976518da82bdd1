// State kept in localStorage and written on every change, so a reload or a crash loses nothing the user typed.
import { useCallback, useState } from 'react';

function read<T>(key: string, fallback: T, accept: (stored: unknown) => T | undefined): T {
  try {
    const text = window.localStorage.getItem(key);
    if (text === null) return fallback;
    return accept(JSON.parse(text)) ?? fallback;
  } catch {
    return fallback; // unreadable or damaged storage: start from the default rather than fail
  }
}

/**
 * Like useState, backed by localStorage[key]. `accept` turns what was stored (maybe by an older version) into a
 * valid value or undefined (then `fallback` is used).
 */
export function usePersistentState<T>(key: string, fallback: T, accept: (stored: unknown) => T | undefined): [T, (update: T | ((previous: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => read(key, fallback, accept));
  const set = useCallback(
    (update: T | ((previous: T) => T)) => {
      setValue((previous) => {
        const next = typeof update === 'function' ? (update as (previous: T) => T)(previous) : update;
        try {
          window.localStorage.setItem(key, JSON.stringify(next));
        } catch {
          // Storage full or disabled: the form still works, it just will not survive a reload.
        }
        return next;
      });
    },
    [key],
  );
  return [value, set];
}
