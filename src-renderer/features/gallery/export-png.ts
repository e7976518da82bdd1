// "Export PNG": the image with its settings in one `parameters` text chunk (exported-png.ts), as a download.
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { exportedPng } from './exported-png.ts';

/** Downloads the generation's PNG with its parameters written in. */
export async function exportPng(generation: Generation, imageUrl: string): Promise<void> {
  const response = await fetch(imageUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`the image could not be read (${response.status} ${response.statusText})`);
  const png = exportedPng(generation, new Uint8Array(await response.arrayBuffer()));
  const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `faceid-${generation.seed}-${generation.id.slice(0, 8)}.png`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
