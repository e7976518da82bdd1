// The window's security settings, as plain data and small decisions, so unit tests check them without Electron.
// Electron's own checklist (https://www.electronjs.org/docs/latest/tutorial/security) is the reference.
import type { Session, WebContents, WebPreferences } from 'electron';
import { LIBRARY_SCHEME } from './library-protocol.ts';
import { RENDERER_HOST, RENDERER_SCHEME } from './renderer-protocol.ts';

/** WebPreferences of every window: the renderer runs sandboxed, isolated, without Node. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Middle-click would otherwise open links in a new window, bypassing will-navigate.
    disableBlinkFeatures: 'Auxclick',
  };
}

/**
 * The Content-Security-Policy sent with every renderer response (renderer-protocol.ts), so it covers the page
 * before any script runs. Scripts only from the app itself; images from the app, the library protocol and
 * in-memory blobs (previews, masks); no network at all.
 * `style-src 'unsafe-inline'`: MUI styles through Emotion, which inserts <style> elements at run time. Inline
 * *scripts* stay forbidden, which is what the policy is for.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${LIBRARY_SCHEME}:`,
  `media-src 'self' blob: ${LIBRARY_SCHEME}:`,
  "font-src 'self' data:",
  `connect-src 'self' ${LIBRARY_SCHEME}:`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Permissions the studio uses: copying a prompt or image, and full-screen image view. Everything else is denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

/** Whether a permission asked for by a page at `origin` is granted: only allowed ones, only for the app itself. */
export function isPermissionGranted(permission: string, origin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppOrigin(origin);
}

/** True for the app's own origin (`studio-app://renderer`), which is the only page windows may show. */
export function isAppOrigin(urlOrOrigin: string): boolean {
  try {
    const url = new URL(urlOrOrigin);
    // Compared by parts: Node's URL gives custom schemes an opaque origin ("null"), Chromium does not.
    return url.protocol === `${RENDERER_SCHEME}:` && url.host === RENDERER_HOST && url.username === '' && url.port === '';
  } catch {
    return false;
  }
}

/** What to do with a link that would navigate away or open a window. */
export type ExternalLinkDecision = 'open-in-browser' | 'deny';

/**
 * Links to web pages (a model's licence, its download page) open in the user's browser; nothing else leaves
 * the app. `http:` is allowed too because model hubs link to it; `file:`, `javascript:`, custom schemes and
 * URLs with credentials are never handed to the shell.
 */
export function externalLinkDecision(url: string): ExternalLinkDecision {
  try {
    const parsed = new URL(url);
    const isWeb = parsed.protocol === 'https:' || parsed.protocol === 'http:';
    return isWeb && parsed.username === '' && parsed.password === '' ? 'open-in-browser' : 'deny';
  } catch {
    return 'deny';
  }
}

/** Denies permissions and device access the studio does not use, for one session. */
export function applySessionSecurity(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(isPermissionGranted(permission, contents.getURL()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}

/**
 * Keeps a WebContents on the app: in-page navigation away from the app origin is stopped, new windows are
 * refused, <webview> cannot attach, and web links go to the system browser through `openExternal`.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (externalLinkDecision(url) === 'open-in-browser') openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppOrigin(url)) return;
    event.preventDefault();
    if (externalLinkDecision(url) === 'open-in-browser') openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppOrigin(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
