// Maps the path of a custom-protocol URL onto a file inside one folder, refusing every way out of it.
// Used by the library protocol (images) and the renderer protocol (the built UI); pure apart from
// realpath/stat, so it is tested against real folders with real symlinks.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type FolderPathResult =
  | { ok: true; file: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Splits a still percent-encoded URL path (`/a/b%20c.png`) into decoded segments, or says why it is refused.
 * Refused: empty segments (`//`, which would make an absolute path), `.` and `..` (also encoded as `%2e`),
 * segments that decode to a separator (`%2f`, `%5c`), backslashes, NUL bytes, colons (drive letters, NTFS
 * streams) and malformed escapes. Nothing is normalised: a path that needs normalising is refused.
 */
export function decodeUrlPath(encodedPath: string): { ok: true; segments: string[] } | { ok: false; reason: string } {
  if (!encodedPath.startsWith('/')) return { ok: false, reason: 'the path must start with /' };
  const rawSegments = encodedPath.slice(1).split('/');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: `malformed escape in "${raw}"` };
    }
    if (segment === '') return { ok: false, reason: 'empty path segment' };
    if (segment === '.' || segment === '..') return { ok: false, reason: 'relative path segment' };
    if (/[/\\:\0]/.test(segment)) return { ok: false, reason: 'separator, colon or NUL inside a segment' };
    segments.push(segment);
  }
  return { ok: true, segments };
}

/** True when `child` is `parent` itself or lies below it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Resolves `encodedPath` to a regular file inside `root`. The check is done twice: on the joined path
 * (traversal) and on its real path (a symlink inside the folder that points out of it). The real path is
 * returned, so the caller opens exactly the file that was checked.
 */
export async function resolveInsideFolder(root: string, encodedPath: string): Promise<FolderPathResult> {
  const decoded = decodeUrlPath(encodedPath);
  if (!decoded.ok) return { ok: false, status: 400, reason: decoded.reason };
  const absoluteRoot = path.resolve(root);
  const candidate = path.join(absoluteRoot, ...decoded.segments);
  if (!isInside(absoluteRoot, candidate)) return { ok: false, status: 403, reason: 'outside the folder' };

  let realRoot: string;
  let realFile: string;
  let isFile: boolean;
  try {
    realRoot = await realpath(absoluteRoot);
    realFile = await realpath(candidate);
    isFile = (await stat(realFile)).isFile();
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!isInside(realRoot, realFile)) return { ok: false, status: 403, reason: 'a link points outside the folder' };
  if (!isFile) return { ok: false, status: 404, reason: 'not a file' };
  return { ok: true, file: realFile };
}

/**
 * The encoded path of `url` when it is `<scheme>://<host>/…` (query and fragment dropped), else undefined.
 * Read from the raw string rather than `new URL()`, which would silently resolve `..` segments.
 */
export function schemeUrlPath(url: string, scheme: string, host: string): string | undefined {
  const prefix = `${scheme}://${host}/`;
  if (url.slice(0, prefix.length).toLowerCase() !== prefix) return undefined;
  const rest = url.slice(prefix.length - 1);
  const end = rest.search(/[?#]/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** A plain-text refusal; the reason stays in the log, the page only sees the status. */
export function refusal(status: number): Response {
  return new Response(null, { status, headers: { 'x-content-type-options': 'nosniff' } });
}

