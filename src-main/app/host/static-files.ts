// Files the host serves: the built renderer (single-page app) and library media, each confined to its own folder.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { isMediaPath, MEDIA_CONTENT_TYPES } from '../../../src-preload/contract/media.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  ...MEDIA_CONTENT_TYPES,
};

/** Resolves `relative` inside `root`, following symlinks, or returns undefined if it would leave root or is no file. */
async function fileInside(root: string, relative: string): Promise<string | undefined> {
  const candidate = path.resolve(root, relative);
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!realFile.startsWith(realRoot + path.sep)) return undefined;
    return (await stat(realFile)).isFile() ? realFile : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(response: ServerResponse, file: string, cacheControl: string): void {
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': cacheControl,
  });
  createReadStream(file).pipe(response);
}

/** Serves /media/<media path> from the library folder; answers false when it is not a media file. */
export async function serveMedia(libraryFolder: string, mediaPath: string, response: ServerResponse): Promise<boolean> {
  if (!isMediaPath(mediaPath)) return false;
  const file = await fileInside(libraryFolder, mediaPath);
  if (file === undefined) return false;
  // Content-addressed and id-named files never change under the same name.
  sendFile(response, file, 'private, max-age=31536000, immutable');
  return true;
}

/** Serves a renderer file, or index.html for any other path (the app routes itself). False if nothing was built. */
export async function serveRenderer(rendererFolder: string, urlPath: string, response: ServerResponse): Promise<boolean> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    relative = '';
  }
  const asset = relative === '' ? undefined : await fileInside(rendererFolder, relative);
  if (asset !== undefined) {
    sendFile(response, asset, relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return true;
  }
  const index = await fileInside(rendererFolder, 'index.html');
  if (index === undefined) return false;
  sendFile(response, index, 'no-cache');
  return true;
}
