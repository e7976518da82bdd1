// State kept in localStorage and written on every change, so a reload or a crash loses nothing the user typed.
import { useCallback, useRef, useState } from 'react';

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
  const latest = useRef(value);
  const set = useCallback(
    (update: T | ((previous: T) => T)) => {
      // Written now, not in a state updater: an update made just before this component unmounts (the inpaint editor
      // setting the mask, then leaving for Generate) is never rendered here, and the next page reads storage.
      const next = typeof update === 'function' ? (update as (previous: T) => T)(latest.current) : update;
      latest.current = next;
      try {
        window.localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // Storage full or disabled: the form still works, it just will not survive a reload.
      }
      setValue(next);
    },
    [key],
  );
  return [value, set];
}
