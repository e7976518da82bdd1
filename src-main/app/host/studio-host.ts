// The studio host: the contract's methods over HTTP (POST /api/<method>), its events over a WebSocket (/events), the
// built renderer and library media, on 127.0.0.1 by default, every request checked against this start's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_REFERENCE_BYTES } from '../../../src-preload/contract/characters.ts';
import type { Failure } from '../../../src-preload/contract/errors.ts';
import { StudioError } from '../../base/errors.ts';
import type { Dispatch } from '../dispatch.ts';
import type { StudioEventBus } from '../events.ts';
import type { A1111Api } from './a1111/a1111-api.ts';
import { HostAuth } from './auth.ts';
import { serveMedia, serveRenderer } from './static-files.ts';

export const DEFAULT_HOST = '127.0.0.1';
/** A base64 photo at the size limit plus the JSON around it. */
const MAX_BODY_BYTES = Math.ceil(MAX_REFERENCE_BYTES / 3) * 4 + 64 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface StudioHostOptions {
  dispatch: Dispatch;
  events: StudioEventBus;
  libraryFolder: string;
  rendererFolder: string;
  /** The interface to listen on: 127.0.0.1 unless the user asks for another. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The A1111-compatible API served under /sdapi/v1/ with the same token; absent, those routes are 404. */
  a1111?: A1111Api;
}

export interface StudioHost {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** http://host:port without the token. */
  readonly origin: string;
  /** The URL to open in a browser: the origin with `?token=`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startStudioHost(options: StudioHostOptions): Promise<StudioHost> {
  const host = options.host ?? DEFAULT_HOST;
  const isLoopbackOnly = LOOPBACK_HOSTS.has(host);
  let auth: HostAuth | undefined;
  const sockets = new Set<WebSocket>();
  const webSockets = new WebSocketServer({ noServer: true });

  const server = createServer((request, response) => {
    if (auth === undefined) return sendJson(response, 503, failure('internal', 'The studio is still starting.'));
    handleRequest(request, response, auth).catch((error: unknown) => {
      console.error('studio host: request failed', error);
      if (!response.headersSent) sendJson(response, 500, failure('internal', 'Internal error — please report it.'));
      else response.destroy();
    });
  });

  /** Refuses requests whose Host header names another site: a DNS-rebinding page must not reach the studio. */
  function isAllowedHostHeader(request: IncomingMessage): boolean {
    if (!isLoopbackOnly) return true;
    const hostHeader = request.headers.host ?? '';
    const hostName = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0] ?? '';
    return LOOPBACK_HOSTS.has(hostName);
  }

  /** A browser request from another origin (a web page the user has open) is refused even if it carried the cookie. */
  function isSameOrigin(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    return origin === undefined || origin === `http://${request.headers.host ?? ''}`;
  }

  async function handleRequest(request: IncomingMessage, response: ServerResponse, auth: HostAuth): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://studio.invalid');
    if (!isAllowedHostHeader(request)) return sendJson(response, 421, failure('unauthorized', 'This studio answers only on 127.0.0.1 and localhost.'));
    const isApi = url.pathname.startsWith('/api/') || url.pathname.startsWith('/sdapi/');

    if (!auth.isAuthorized(request)) {
      if (!isApi && request.method === 'GET' && auth.isTokenInQuery(url)) {
        // First page load: keep the token in an HttpOnly cookie and drop it from the address bar.
        url.searchParams.delete('token');
        response.writeHead(303, { Location: url.pathname + url.search, 'Set-Cookie': auth.sessionCookie(), 'Cache-Control': 'no-store' });
        return void response.end();
      }
      return sendJson(response, 401, failure('unauthorized', 'This studio needs its access token.', 'Open the URL that `npm run host` or `npm start` printed; it carries the token.'));
    }
    if (!isSameOrigin(request)) return sendJson(response, 403, failure('unauthorized', 'Requests from other web pages are refused.'));

    if (url.pathname.startsWith('/sdapi/')) {
      if (options.a1111 === undefined || !url.pathname.startsWith('/sdapi/v1/')) return sendJson(response, 404, { error: 'HTTPException', detail: 'Not Found' });
      const body = request.method === 'POST' ? await readJsonBody(request) : { ok: true as const, value: undefined };
      if (!body.ok) return sendJson(response, body.status, { error: 'HTTPException', detail: body.error.userMessage });
      const reply = await options.a1111.handle(request.method ?? 'GET', url.pathname.slice('/sdapi/v1/'.length), body.value);
      return sendJson(response, reply.status, reply.body);
    }
    if (isApi) {
      if (request.method !== 'POST') return sendJson(response, 405, failure('invalid-request', `Call ${url.pathname} with POST and a JSON body.`));
      const body = await readJsonBody(request);
      if (!body.ok) return sendJson(response, body.status, { ok: false, error: body.error });
      const result = await options.dispatch(decodeURIComponent(url.pathname.slice('/api/'.length)), body.value);
      return sendJson(response, 200, result);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, failure('invalid-request', 'Only GET is served here.'));
    if (url.pathname.startsWith('/media/')) {
      if (await serveMedia(options.libraryFolder, decodeURIComponent(url.pathname.slice('/media/'.length)), response)) return;
      return sendJson(response, 404, failure('not-found', 'No such library file.'));
    }
    const origin = `http://${request.headers.host ?? ''}`;
    response.setHeader('Content-Security-Policy', `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ${origin.replace('http:', 'ws:')}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (await serveRenderer(options.rendererFolder, url.pathname, response)) return;
    response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('The studio renderer has not been built yet. Run `npm run build` (or `npm start`, which builds it) and reload.\n');
  }

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://studio.invalid');
    const refusal =
      url.pathname !== '/events' ? '404 Not Found'
      : !isAllowedHostHeader(request) ? '421 Misdirected Request'
      : auth === undefined || !auth.isAuthorized(request) ? '401 Unauthorized'
      : !isSameOrigin(request) ? '403 Forbidden'
      : undefined;
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
    });
  });

  const unsubscribe = options.events.subscribe((envelope) => {
    const message = JSON.stringify(envelope);
    for (const client of sockets) if (client.readyState === client.OPEN) client.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      unsubscribe();
      reject(
        error.code === 'EADDRINUSE'
          ? new StudioError('host.port-in-use', { userMessage: `Port ${options.port} on ${host} is already in use.`, hint: 'Leave out --port to pick a free one, or stop the other program.', cause: error })
          : error,
      );
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  auth = new HostAuth(port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;

  return {
    host,
    port,
    token: auth.token,
    origin,
    url: `${origin}/?token=${auth.token}`,
    close: async () => {
      unsubscribe();
      for (const client of sockets) client.terminate();
      webSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function failure(code: Failure['code'], userMessage: string, hint?: string): { ok: false; error: Failure } {
  return { ok: false, error: hint === undefined ? { code, userMessage } : { code, userMessage, hint } };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  response.end(text);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; error: Failure };

async function readJsonBody(request: IncomingMessage): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    request.resume();
    return { ok: false, status: 413, error: { code: 'invalid-request', userMessage: `The request is too large (${declared} bytes; at most ${MAX_BODY_BYTES}).` } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      request.destroy();
      return { ok: false, status: 413, error: { code: 'invalid-request', userMessage: `The request is too large (more than ${MAX_BODY_BYTES} bytes).` } };
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, error: { code: 'invalid-request', userMessage: 'The request body is not valid JSON.' } };
  }
}
