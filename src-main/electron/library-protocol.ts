// `studio-media://library/<media path>`: how the Electron renderer loads library images (references,
// thumbnails, generations, previews); the contract's electronMediaUrl() makes these URLs. Only well-formed
// media paths (contract/media.ts) that resolve to an image file inside the library folder are served.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { ELECTRON_MEDIA_SCHEME, isMediaPath, MEDIA_CONTENT_TYPES } from '../../src-preload/contract/media.ts';
import { decodeUrlPath, refusal, resolveInsideFolder, schemeUrlPath } from './folder-path.ts';

export const LIBRARY_SCHEME = ELECTRON_MEDIA_SCHEME;
export const LIBRARY_HOST = 'library';

/** Image types the library stores; any other file in the folder (the database, a log) is never served. */
const IMAGE_TYPES = MEDIA_CONTENT_TYPES;

/**
 * Registered before `app.ready`. `standard` gives the URL a host, so relative URLs and CSP work;
 * `secure` lets the page (itself on a secure custom scheme) load it without mixed-content blocking;
 * `supportFetchAPI` + `corsEnabled` let the inpaint canvas fetch an image without tainting itself.
 * No `bypassCSP`: the page's CSP names this scheme explicitly.
 */
export const LIBRARY_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: LIBRARY_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

export type LibraryRequestResult =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404 | 405; reason: string };

/** Decides what a library URL may serve: a real image file under `libraryRoot`, or a refusal with its reason. */
export async function resolveLibraryRequest(libraryRoot: string, url: string, method = 'GET'): Promise<LibraryRequestResult> {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: `method ${method}` };
  const encodedPath = schemeUrlPath(url, LIBRARY_SCHEME, LIBRARY_HOST);
  if (encodedPath === undefined) return { ok: false, status: 400, reason: `not a ${LIBRARY_SCHEME}://${LIBRARY_HOST}/ URL` };
  const decoded = decodeUrlPath(encodedPath);
  if (!decoded.ok) return { ok: false, status: 400, reason: decoded.reason };
  const mediaPath = decoded.segments.join('/');
  const contentType = IMAGE_TYPES[path.extname(mediaPath).toLowerCase()];
  if (contentType === undefined || !isMediaPath(mediaPath)) return { ok: false, status: 403, reason: 'not a library media path' };
  const resolved = await resolveInsideFolder(libraryRoot, encodedPath);
  return resolved.ok ? { ok: true, file: resolved.file, contentType } : resolved;
}

/** Answers one protocol request (the body of the `protocol.handle` callback). */
export async function serveLibraryRequest(
  libraryRoot: string,
  request: Request,
  onRefused: (url: string, reason: string) => void = () => {},
): Promise<Response> {
  const result = await resolveLibraryRequest(libraryRoot, request.url, request.method);
  if (!result.ok) {
    onRefused(request.url, result.reason);
    return refusal(result.status);
  }
  const body = request.method === 'HEAD' ? null : await readFile(result.file);
  return new Response(body, {
    status: 200,
    headers: { 'content-type': result.contentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' },
  });
}

/** Serves the library folder on the given session's protocol object (`session.protocol` or the default one). */
export function registerLibraryProtocol(protocol: Protocol, libraryRoot: string, onRefused?: (url: string, reason: string) => void): void {
  protocol.handle(LIBRARY_SCHEME, (request) => serveLibraryRequest(libraryRoot, request, onRefused));
}
