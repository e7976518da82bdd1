// Media paths: library files (originals, thumbnails, generated images) named relative to the library folder.
// Records carry these paths; each transport turns one into a URL (the host serves /media/<path>).

/** The library subfolders a media path may point into, and the file names allowed there. */
export const MEDIA_PATTERN = /^(references|thumbnails|generations|previews|masks|control)\/[0-9a-f]{2}\/[0-9a-zA-Z_-]{1,80}\.(png|jpg|jpeg|webp|gif|tif|tiff|avif|heif|bmp)$/;

/** The content type each media file extension is served with (the extensions MEDIA_PATTERN allows). */
export const MEDIA_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heif': 'image/heif',
};

/** True when `path` is a well-formed media path (no traversal, no absolute path, a known folder). */
export function isMediaPath(path: string): boolean {
  return MEDIA_PATTERN.test(path);
}

/** The URL path under which the studio host serves a media path. */
export function hostMediaUrl(mediaPath: string): string {
  return `/media/${mediaPath}`;
}

/** The custom protocol through which the Electron window loads library media: studio-media://library/<media path>. */
export const ELECTRON_MEDIA_SCHEME = 'studio-media';

/** The URL under which the Electron window loads a media path. */
export function electronMediaUrl(mediaPath: string): string {
  return `${ELECTRON_MEDIA_SCHEME}://library/${mediaPath}`;
}
