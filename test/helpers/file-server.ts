// A real HTTP server on 127.0.0.1 for download tests: serves byte buffers with ranges and ETags, and can
// misbehave on purpose (drop the connection after N bytes, answer an error, trickle bytes slowly).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body?: Buffer;
  /** Answer this status instead of the body. */
  status?: number;
  /** Destroy the socket after sending this many body bytes, for the first `dropTimes` requests. */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** Send the body in chunks of this size with this pause between them. */
  chunkBytes?: number;
  chunkDelayMs?: number;
  /** Ignore Range headers (always 200 + full body). */
  ignoreRange?: boolean;
  /** Require this Authorization header, else 401. */
  requireAuthorization?: string;
}

export interface SeenRequest {
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FileServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
  const routes = new Map<string, Route & { drops: number }>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const routePath = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path: routePath, range: req.headers.range, authorization: req.headers.authorization });
    const route = routes.get(routePath);
    if (!route) return void res.writeHead(404, 'Not Found').end();
    if (route.status) return void res.writeHead(route.status).end();
    if (route.requireAuthorization && req.headers.authorization !== route.requireAuthorization) return void res.writeHead(401, 'Unauthorized').end();
    const body = route.body ?? Buffer.alloc(0);
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const etag = `"${body.length}-${body.subarray(0, 8).toString('hex')}"`;
    const rangeValid = match && !route.ignoreRange && (!req.headers['if-range'] || req.headers['if-range'] === etag);
    if (rangeValid) {
      start = Number(match[1]);
      if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, etag });
    } else {
      res.writeHead(200, { 'content-length': body.length, etag, 'accept-ranges': 'bytes' });
    }
    const dropping = route.dropAfterBytes !== undefined && route.drops < (route.dropTimes ?? 1);
    const end = dropping ? Math.min(body.length, start + route.dropAfterBytes!) : body.length;
    const chunk = route.chunkBytes ?? 64 * 1024;
    for (let at = start; at < end; at += chunk) {
      if (res.destroyed) return;
      res.write(body.subarray(at, Math.min(end, at + chunk)));
      if (route.chunkDelayMs) await new Promise((r) => setTimeout(r, route.chunkDelayMs));
    }
    if (dropping) {
      route.drops += 1;
      await new Promise((r) => setTimeout(r, 20)); // let the bytes leave before the reset
      res.socket?.destroy();
      return;
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(path, route) {
      routes.set(path, { ...route, drops: 0 });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
