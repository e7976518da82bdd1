// Every keyboard shortcut, listed once: the help sheet shows this list and tooltips name the keys from it.
import { useEffect, useRef } from 'react';

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl';

export const SHORTCUTS = {
  generate: { keys: `${MOD}+Enter`, what: 'Generate with the current settings', where: 'Generate' },
  cancel: { keys: 'Esc', what: 'Cancel the running job', where: 'Everywhere' },
  help: { keys: '?', what: 'Show this list of shortcuts', where: 'Everywhere' },
  galleryMove: { keys: '← → ↑ ↓', what: 'Move between images', where: 'Gallery' },
  galleryOpen: { keys: 'Enter', what: 'Open the selected image', where: 'Gallery' },
  favorite: { keys: 'F', what: 'Favourite / unfavourite the image', where: 'Gallery' },
  delete: { keys: 'Delete', what: 'Delete the image (with undo)', where: 'Gallery' },
  brush: { keys: 'B', what: 'Brush: paint the area to repaint', where: 'Inpaint editor' },
  eraser: { keys: 'E', what: 'Eraser: remove mask', where: 'Inpaint editor' },
  smaller: { keys: '[', what: 'Smaller brush', where: 'Inpaint editor' },
  larger: { keys: ']', what: 'Larger brush', where: 'Inpaint editor' },
  undo: { keys: `${MOD}+Z`, what: 'Undo the last stroke', where: 'Inpaint editor' },
  redo: { keys: `${MOD}+Y`, what: 'Redo', where: 'Inpaint editor' },
} as const;
export type ShortcutId = keyof typeof SHORTCUTS;

/** "What it does (keys)" for a tooltip. */
export function withShortcut(text: string, id: ShortcutId): string {
  return `${text} (${SHORTCUTS[id].keys})`;
}

/** True when a key event comes from a place where typing should not trigger shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** True when a modal dialog is open (it owns the keyboard). */
export function isDialogOpen(): boolean {
  return document.querySelector('[role="dialog"][aria-modal="true"], [role="presentation"].MuiDialog-root') !== null;
}

/** Listens for keydown on the window while mounted; the latest handler is always used. */
export function useKeydown(handler: (event: KeyboardEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => latest.current(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

export function isModKey(event: KeyboardEvent | React.KeyboardEvent): boolean {
  return IS_MAC ? event.metaKey : event.ctrlKey;
}
