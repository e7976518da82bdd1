// The host's bearer token: random per start, accepted from `Authorization: Bearer`, as the password of HTTP Basic
// (what A1111's --api-auth clients such as Open WebUI send; the user name is free), or from an HttpOnly cookie that
// the first page load (`/?token=…`) sets. The token never stays in the address bar, history or a Referer.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export class HostAuth {
  readonly token: string;
  readonly #cookieName: string;

  constructor(port: number, token = randomBytes(24).toString('base64url')) {
    this.token = token;
    // Cookies are shared across ports of one host name: the port in the name keeps two studios apart.
    this.#cookieName = `faceid_studio_${port}`;
  }

  #matches(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    const given = Buffer.from(candidate);
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** True when the request carries the token in its Authorization header or its cookie. */
  isAuthorized(request: IncomingMessage): boolean {
    const header = request.headers.authorization;
    if (header !== undefined && header.startsWith('Bearer ')) return this.#matches(header.slice('Bearer '.length).trim());
    if (header !== undefined && header.startsWith('Basic ')) return this.#matches(basicPassword(header.slice('Basic '.length).trim()));
    return this.#matches(readCookie(request.headers.cookie, this.#cookieName));
  }

  /** True when a URL's `token` query parameter is this start's token (accepted on page loads only). */
  isTokenInQuery(url: URL): boolean {
    return this.#matches(url.searchParams.get('token') ?? undefined);
  }

  /** The Set-Cookie value that keeps the browser signed in for this start. */
  sessionCookie(): string {
    return `${this.#cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

/** The password of an HTTP Basic credential (`base64(user:password)`), or undefined when it is not one. */
function basicPassword(credential: string): string | undefined {
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}
