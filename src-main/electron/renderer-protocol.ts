// `studio-app://renderer/…`: serves the built renderer (dist/renderer) to the window, with the CSP header on
// every response. A custom standard scheme instead of file:// gives the page a real origin, so 'self' in the
// CSP, the navigation checks and the permission checks all have one exact origin to compare with.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { refusal, resolveInsideFolder, schemeUrlPath } from './folder-path.ts';

export const RENDERER_SCHEME = 'studio-app';
export const RENDERER_HOST = 'renderer';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
/** The URL the main window loads. */
export const RENDERER_ENTRY_URL = `${RENDERER_ORIGIN}/index.html`;

/** `standard` + `secure`: a normal origin that counts as secure context (clipboard, crypto.subtle). */
export const RENDERER_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: RENDERER_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const RENDERER_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Answers one request for a file of the built renderer, or a refusal; `/` is the index page. */
export async function serveRendererRequest(
  rendererRoot: string,
  request: Request,
  contentSecurityPolicy: string,
  onRefused: (url: string, reason: string) => void = () => {},
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
  const encodedPath = schemeUrlPath(request.url, RENDERER_SCHEME, RENDERER_HOST);
  if (encodedPath === undefined) {
    onRefused(request.url, 'not a renderer URL');
    return refusal(400);
  }
  const resolved = await resolveInsideFolder(rendererRoot, encodedPath === '/' ? '/index.html' : encodedPath);
  if (!resolved.ok) {
    onRefused(request.url, resolved.reason);
    return refusal(resolved.status);
  }
  const contentType = RENDERER_TYPES[path.extname(resolved.file).toLowerCase()] ?? 'application/octet-stream';
  const body = request.method === 'HEAD' ? null : await readFile(resolved.file);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': contentType,
      // electronegativity looks for a CSP only in <meta> tags and webRequest header edits; here it is the
      // response header of the page itself (value and strictness checked in security.test.ts).
      'content-security-policy': contentSecurityPolicy, // eng-disable CSP_GLOBAL_CHECK
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
    },
  });
}

/** Serves `rendererRoot` under the renderer scheme on the given protocol object. */
export function registerRendererProtocol(
  protocol: Protocol,
  rendererRoot: string,
  contentSecurityPolicy: string,
  onRefused?: (url: string, reason: string) => void,
): void {
  protocol.handle(RENDERER_SCHEME, (request) => serveRendererRequest(rendererRoot, request, contentSecurityPolicy, onRefused));
}
