import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { WebContents } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  externalLinkDecision,
  hardenWebContents,
  isAppOrigin,
  isPermissionGranted,
  secureWebPreferences,
} from './security.ts';

test('windows run sandboxed and isolated, without Node, with web security on', () => {
  const prefs = secureWebPreferences('/app/out/preload/preload.cjs');
  assert.equal(prefs.preload, '/app/out/preload/preload.cjs');
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.experimentalFeatures, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.enableBlinkFeatures, undefined);
  assert.equal(prefs.disableBlinkFeatures, 'Auxclick');
});

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => {
    const [name = '', ...sources] = part.trim().split(/\s+/);
    return [name, sources] as const;
  }));
}

test('the CSP allows scripts only from the app, no eval, no inline scripts, no network', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'"]);
  assert.deepEqual(policy.get('object-src'), ["'none'"]);
  assert.deepEqual(policy.get('base-uri'), ["'none'"]);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
  for (const [name, sources] of policy) {
    assert.ok(!sources.includes("'unsafe-eval'"), `${name} allows eval`);
    assert.ok(!sources.some((source) => /^(https?:|\*|ws:|wss:|file:)/.test(source)), `${name} reaches the network or files: ${sources.join(' ')}`);
    if (name !== 'style-src') assert.ok(!sources.includes("'unsafe-inline'"), `${name} allows inline code`);
  }
  assert.ok(policy.get('img-src')?.includes('studio-media:'), 'library images must be allowed');
});

test('permissions: only clipboard writing and full screen, only for the app origin', () => {
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'studio-app://renderer'), true);
  assert.equal(isPermissionGranted('fullscreen', 'studio-app://renderer/index.html'), true);
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'usb', 'serial', 'unknown']) {
    assert.equal(isPermissionGranted(permission, 'studio-app://renderer'), false, permission);
  }
  for (const origin of ['https://example.com', 'file:///', 'studio-app://other', 'studio-media://library', '']) {
    assert.equal(isPermissionGranted('fullscreen', origin), false, origin);
  }
});

test('only the app origin counts as the app', () => {
  assert.equal(isAppOrigin('studio-app://renderer/index.html#/gallery'), true);
  for (const url of ['studio-app://renderer.evil/index.html', 'studio-app://evil', 'https://renderer', 'file:///index.html', 'not a url']) {
    assert.equal(isAppOrigin(url), false, url);
  }
});

test('web links go to the browser; file, javascript, custom schemes and credentials never do', () => {
  assert.equal(externalLinkDecision('https://huggingface.co/h94/IP-Adapter-FaceID'), 'open-in-browser');
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'studio-media://library/x.png', 'https://user:pw@example.com', 'ms-msdt:/id', '']) {
    assert.equal(externalLinkDecision(url), 'deny', url);
  }
});

/** Records what hardenWebContents registers, then plays the events Electron would send. */
class RecordingContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits a cancellable event and says whether a listener cancelled it. */
  fire(name: string, url?: string): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

test('navigation away from the app is stopped, new windows denied, web links opened outside, webviews refused', () => {
  const contents = new RecordingContents();
  const opened: string[] = [];
  hardenWebContents(contents as unknown as WebContents, (url) => opened.push(url));

  assert.equal(contents.fire('will-navigate', 'studio-app://renderer/index.html'), false);
  assert.equal(contents.fire('will-navigate', 'https://example.com/'), true);
  assert.equal(contents.fire('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(contents.fire('will-redirect', 'https://example.com/'), true);
  assert.equal(contents.fire('will-attach-webview'), true);
  assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://civitai.com/models/1' }), { action: 'deny' });
  assert.deepEqual(contents.windowOpenHandler?.({ url: 'file:///bin/sh' }), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.com/', 'https://civitai.com/models/1']);
});
