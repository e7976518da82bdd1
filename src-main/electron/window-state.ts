// The main window's size and position, kept as JSON in userData and restored on the next start —
// but only onto a display that still exists (a laptop unplugged from its monitor must not open off-screen).
import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  isMaximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 840 } as const;
export const MINIMUM_WINDOW_SIZE = { width: 900, height: 600 } as const;
/** How much of the title bar must lie on a display for a saved position to be kept. */
const VISIBLE_MARGIN_PX = 64;

/**
 * The state to open the window with: the saved one where it is valid and visible on one of `workAreas`,
 * its size shrunk to fit the largest display; otherwise the default size, centred by Electron (no x/y).
 */
export function restoreWindowState(saved: unknown, workAreas: readonly Rectangle[]): WindowState {
  const parsed = WindowStateSchema.safeParse(saved);
  const largest = workAreas.reduce<Rectangle | undefined>((best, area) => (best === undefined || area.width * area.height > best.width * best.height ? area : best), undefined);
  const fit = (width: number, height: number) => ({
    width: Math.max(MINIMUM_WINDOW_SIZE.width, Math.min(width, largest?.width ?? width)),
    height: Math.max(MINIMUM_WINDOW_SIZE.height, Math.min(height, largest?.height ?? height)),
  });
  if (!parsed.success) return { ...fit(DEFAULT_WINDOW_SIZE.width, DEFAULT_WINDOW_SIZE.height), isMaximized: false };
  const state = parsed.data;
  const size = fit(state.width, state.height);
  const { x, y } = state;
  const titleBarVisible =
    x !== undefined && y !== undefined && workAreas.some((area) => overlaps({ x, y, width: size.width, height: VISIBLE_MARGIN_PX }, area, VISIBLE_MARGIN_PX));
  return titleBarVisible ? { x, y, ...size, isMaximized: state.isMaximized } : { ...size, isMaximized: state.isMaximized };
}

function overlaps(a: Rectangle, b: Rectangle, minimumPx: number): boolean {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width >= minimumPx && height >= Math.min(minimumPx, a.height);
}

/** The saved state, or undefined when there is none or it cannot be read (a broken file is not an error). */
export async function readWindowState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Saves the state atomically (temp file + rename), so a crash mid-write leaves the old file. Synchronous on
 * purpose: it runs from the window's `close` event, after which the process may end before async I/O.
 */
export function writeWindowState(file: string, state: WindowState): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`);
  renameSync(temporary, file);
}
