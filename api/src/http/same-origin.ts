// Whether a browser's Origin is the page's own: the host it asked for (Host, or X-Forwarded-Host when TRUST_PROXY
// says a proxy sets it) or one listed in ALLOWED_ORIGINS. Hosts are compared (with their ports), not schemes: behind
// a TLS proxy the page is https while the hop to us is http. A foreign page cannot choose the Host its visitor's
// browser sends, so this admits the app wherever it is served (any port, 127.0.0.1, a LAN address) and no one else.
// (A DNS-rebound name would pass, but it has no token: the socket still needs one, and tokens live per origin.)
import type { Context } from 'hono';

/** The host:port of an Origin header, lower-case; undefined for "null" or anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The host the request was addressed to, as the browser saw it. */
function requestHost(c: Context, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  const host = forwarded || c.req.header('host');
  if (!host) return undefined;
  try {
    // Normalised like the Origin's host: default ports dropped, case folded.
    return new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export function createOriginCheck(allowedOrigins: readonly string[], trustProxy: boolean) {
  const allowed = new Set(allowedOrigins);
  /** True for no Origin (curl, the SDK in Node: not a cross-site page), the page's own, or an allowed one. */
  return (c: Context): boolean => {
    const origin = c.req.header('origin');
    if (origin === undefined || allowed.has(origin)) return true;
    const host = originHost(origin);
    if (host === undefined) return false;
    const own = requestHost(c, trustProxy);
    // URL() drops a scheme's default port, as browsers do in Host: https://h and Host "h" match.
    return own !== undefined && own === host;
  };
}
