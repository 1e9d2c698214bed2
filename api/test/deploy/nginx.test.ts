// The deployment for real: the repo's nginx template in Debian's nginx, in front of two API processes on one
// PostgreSQL (as `docker compose up --scale api=2` runs them), checked through nginx and process by process.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse } from 'yaml';
import { launchChromium } from '../chromium.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-openai.js';
import { createTestDatabase } from '../harness.js';
import { postStream, readSseEvents } from '../stream/stream-helpers.js';
import {
  ensureNginx,
  freePort,
  nginxTemplateVars,
  type Proc,
  prepareImageLayout,
  REPO_ROOT,
  readAccessLog,
  startApiProcess,
  startFakeDns,
  startNginx,
  waitForOk,
  writeNginxConfig,
} from './deploy.harness.js';

/** 16 pieces of text; the fake model sends one every CHUNK_DELAY_MS. */
const REPLY = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen.';
const CHUNK_DELAY_MS = 80;
const AUTH_LIMIT = 3;

let work: string;
let fake: FakeOpenAI;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let apiA: Proc;
let apiB: Proc;
let nginx: Proc & { accessLog: string; errorLog: string };
let A: string;
let B: string;
let N: string;
let nginxPort: number;
let portA: number;
let portB: number;
let uiRoot: string;

/** A snapshot of the built UI (the UI build may be rewriting ui/dist meanwhile); built into the snapshot if absent. */
function prepareUi(dir: string): string {
  const out = path.join(dir, 'ui');
  const dist = path.join(REPO_ROOT, 'ui/dist');
  const complete = (root: string) => {
    const index = path.join(root, 'index.html');
    if (!existsSync(index)) return false;
    const refs = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1] as string);
    return refs.every((r) => existsSync(path.join(root, r)));
  };
  if (complete(dist)) {
    cpSync(dist, out, { recursive: true });
    if (complete(out)) return out;
    rmSync(out, { recursive: true, force: true });
  }
  // Built from ui/ (vite's root is the working directory: index.html lives there).
  execFileSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir'], {
    cwd: path.join(REPO_ROOT, 'ui'),
    stdio: 'pipe',
    timeout: 180_000,
  });
  return out;
}

beforeAll(async () => {
  const bin = ensureNginx();
  work = mkdtempSync(path.join(tmpdir(), 'chatbot-deploy-'));
  // nginx's workers (and the API) read from here.
  chmodSync(work, 0o755);
  uiRoot = prepareUi(work);
  db = await createTestDatabase();
  fake = await startFakeOpenAI({ reply: REPLY, chunkDelayMs: CHUNK_DELAY_MS });
  [portA, portB, nginxPort] = [await freePort(), await freePort(), await freePort()];
  N = `http://127.0.0.1:${nginxPort}`;
  A = `http://127.0.0.1:${portA}`;
  B = `http://127.0.0.1:${portB}`;
  const env = {
    NODE_ENV: 'production',
    SECRET_KEY: 'deploy-test-secret-key-shared-by-every-replica-0123456789',
    DATABASE_URL: db.url,
    DB_POOL_MAX: '5',
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'test',
    OPENAI_MAX_RETRIES: '0',
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_LIMIT),
    CHAT_RATE_LIMIT_PER_MINUTE: '0',
    ALLOWED_ORIGINS: N,
    SHUTDOWN_TIMEOUT_MS: '3000',
    DATA_DIR: path.join(work, 'data'),
    UI_DIST_DIR: uiRoot,
  };
  // A runs from the TypeScript source; B runs the production bundle in the api image's layout. Both start at
  // once: the migrations' advisory lock lets one migrate while the other waits.
  const imageDir = prepareImageLayout(path.join(work, 'image'));
  apiA = startApiProcess('api-a', portA, env);
  apiB = startApiProcess('api-b (image layout)', portB, env, imageDir);
  await Promise.all([waitForOk(`${A}/api/ready`, apiA), waitForOk(`${B}/api/ready`, apiB)]);
  nginx = await startNginx({
    bin,
    dir: path.join(work, 'nginx'),
    port: nginxPort,
    uiRoot,
    upstreams: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`],
  });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([nginx?.stop(), apiA?.stop(), apiB?.stop()]);
  await fake?.close();
  await db?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------------------------------------------------------
// helpers

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A plain HTTP request (no automatic decompression, duplicate headers visible). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(parts),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const headerCount = (r: RawResponse, name: string) =>
  r.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name.toLowerCase()).length;

function expectSecurityHeaders(r: RawResponse) {
  for (const name of ['x-frame-options', 'x-content-type-options', 'referrer-policy', 'content-security-policy']) {
    expect(headerCount(r, name), name).toBe(1);
  }
  expect(r.headers['x-frame-options']).toBe('DENY');
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  const csp = String(r.headers['content-security-policy']);
  expect(csp).toContain("script-src 'self'");
  // 'self' only (ws/wss to this host included): an injected script cannot send a token to another host.
  expect(csp).toContain("connect-src 'self';");
  expect(csp).toContain("style-src 'self' 'unsafe-inline'");
  expect(csp).toContain("img-src 'self' data: blob:");
  // No TLS here: HSTS belongs to the TLS server only.
  expect(r.headers['strict-transport-security']).toBeUndefined();
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and each field is asserted
type JsonBody = any;

async function json(
  base: string,
  method: string,
  p: string,
  o: { body?: unknown; token?: string; ip?: string } = {},
): Promise<{ status: number; body: JsonBody; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.ip) headers['x-forwarded-for'] = o.ip;
  const res = await fetch(`${base}${p}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A made-up client address per call: every user gets its own auth rate-limit budget. */
const randomIp = () => `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

/** Registers and logs in a new user on `base`; returns the token. */
async function newUser(base: string): Promise<{ token: string; username: string; password: string }> {
  const ip = randomIp();
  const username = `u_${randomBytes(5).toString('hex')}`;
  const password = 'Deploy-test-1';
  const reg = await json(base, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password },
    ip,
  });
  expect(reg.status).toBe(201);
  const login = await json(base, 'POST', '/api/auth/login', { body: { username, password }, ip });
  expect(login.status).toBe(200);
  return { token: login.body.accessToken as string, username, password };
}

async function newSession(base: string, token: string): Promise<number> {
  const res = await json(base, 'POST', '/api/chat/sessions', { body: {}, token });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

const accessLogLines = () => readAccessLog(nginx.accessLog);

/** Fixed one-minute windows: start a rate-limit check early in a window so the count cannot reset midway. */
async function awaitFreshWindowIfLate() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
}

// ---------------------------------------------------------------------------------------------------------------

describe('nginx serving the SPA', () => {
  it('serves index.html for / and for any unknown client route, never cached, with the security headers', async () => {
    const index = readFileSync(path.join(uiRoot, 'index.html'));
    for (const p of ['/', '/login', '/chat/12345/some/deep/route']) {
      const r = await raw(`${N}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body.equals(index)).toBe(true);
      expectSecurityHeaders(r);
    }
  });

  it('serves the PWA manifest with its type and the service worker revalidated on every load', async () => {
    const manifest = await raw(`${N}/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-type']).toMatch(/^application\/manifest\+json/);
    expect(JSON.parse(manifest.body.toString('utf8')).name).toBe('Chatbot');
    const sw = await raw(`${N}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect(sw.body.equals(readFileSync(path.join(uiRoot, 'sw.js')))).toBe(true);
  });

  it('caches hashed assets for a year and gzips them; a missing asset is a 404, not the SPA', async () => {
    const assets = readdirSync(path.join(uiRoot, 'assets'));
    const js = assets.find((f) => f.endsWith('.js'));
    const css = assets.find((f) => f.endsWith('.css'));
    expect(js).toBeDefined();
    expect(css).toBeDefined();
    for (const file of [js, css] as string[]) {
      const r = await raw(`${N}/assets/${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers.vary).toMatch(/Accept-Encoding/i);
      expect(gunzipSync(r.body).equals(readFileSync(path.join(uiRoot, 'assets', file)))).toBe(true);
      expectSecurityHeaders(r);
    }
    const missing = await raw(`${N}/assets/does-not-exist-0000.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBeUndefined();
    expectSecurityHeaders(missing);
  });

  it('loads the app in Chromium under the Content-Security-Policy without a single violation', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      // Installed by the driver (not by the page), so the CSP does not apply to it: it only listens.
      // (A string: this file is compiled without the DOM library.)
      await page.addInitScript({
        content: `window.__csp = [];
          document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
      });
      const res = await page.goto(`${N}/`, { waitUntil: 'load', timeout: 20_000 });
      expect(res?.status()).toBe(200);
      expect(await res?.headerValue('content-security-policy')).toContain("script-src 'self'");
      // The SPA rendered (its module script ran), then routed the signed-out visitor somewhere with a form.
      await page.locator('#root *').first().waitFor({ timeout: 15_000 });
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
      expect((await page.locator('#root').textContent())?.trim()).not.toBe('');
      const violations = await page.evaluate('window.__csp');
      expect(violations).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('nginx proxying /api to both processes', () => {
  it('answers /api JSON through nginx, passing the request id, with one set of security headers', async () => {
    const r = await raw(`${N}/api/health`, { headers: { 'x-request-id': 'deploy-test-req-1' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.body.toString()).status).toBe('ok');
    expect(r.headers['x-request-id']).toBe('deploy-test-req-1');
    expectSecurityHeaders(r);
    // nginx's headers replace the API's: they must say the same, or the app would behave differently behind nginx.
    const direct = await raw(`${A}/api/health`);
    for (const name of ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
      expect(r.headers[name], name).toBe(direct.headers[name]);
    }
    // Without one, nginx makes the id, so the API's log line and nginx's share it.
    const minted = await raw(`${N}/api/health`);
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('balances requests over both API processes', async () => {
    for (let i = 0; i < 6; i++) expect((await raw(`${N}/api/ready`)).status).toBe(200);
    const readyLines = () => accessLogLines().filter((l) => l.includes(' /api/ready '));
    for (let i = 0; i < 30 && readyLines().length < 6; i++) await new Promise((r) => setTimeout(r, 100));
    const used = new Set(
      accessLogLines()
        .filter((l) => l.includes(' /api/ready '))
        .map((l) => /upstream=(\S+)/.exec(l)?.[1]),
    );
    expect(used).toEqual(new Set([`127.0.0.1:${portA}`, `127.0.0.1:${portB}`]));
  });

  it('answers API errors in the API error shape and keeps the security headers on them', async () => {
    const notFound = await raw(`${N}/api/definitely-not-a-route`);
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body.toString()).detail.code).toBe('NOT_FOUND');
    expectSecurityHeaders(notFound);
    const unauthorized = await raw(`${N}/api/auth/me`);
    expect(unauthorized.status).toBe(401);
    expectSecurityHeaders(unauthorized);
  });

  it('refuses a body over the nginx limit itself, in the API error shape', async () => {
    const r = await new Promise<RawResponse>((resolve, reject) => {
      // Only the declared length is sent: nginx judges it before reading a byte of the body.
      const req = http.request(`${N}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(13 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(parts),
          });
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(r.status).toBe(413);
    const body = JSON.parse(r.body.toString());
    expect(body.detail.code).toBe('PAYLOAD_TOO_LARGE');
    expect(typeof body.detail.timestamp).toBe('string');
    expectSecurityHeaders(r);
  });
});

describe("the api containers' healthchecks", () => {
  /** The healthcheck argv of api/Dockerfile and of the compose file, as Docker would exec them. */
  const healthchecks = (): Record<string, string[]> => {
    const df = readFileSync(path.join(REPO_ROOT, 'api/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const fromImage = /^HEALTHCHECK .*?CMD (\[.*\])\s*$/m.exec(df)?.[1];
    const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
    const fromCompose = compose.services.api.healthcheck.test as string[];
    expect(fromCompose[0]).toBe('CMD');
    return { image: JSON.parse(fromImage ?? '[]') as string[], compose: fromCompose.slice(1) };
  };

  it('pass against a ready API process and fail against a port where nothing answers', async () => {
    const closedPort = await freePort();
    for (const [where, argv] of Object.entries(healthchecks())) {
      expect(argv[0], where).toBe('node');
      const run = (port: number) =>
        spawnSync(process.execPath, argv.slice(1), { env: { PORT: String(port) }, timeout: 15_000 }).status;
      expect(run(portB), `${where} healthcheck on a ready API`).toBe(0);
      expect(run(closedPort), `${where} healthcheck with no API`).toBe(1);
    }
  }, 40_000);
});

describe('nginx limits per client address, behind a trusted load balancer', () => {
  it('answers 429 in the API error shape over the request rate and the connection cap, counted per real address', async () => {
    const port = await freePort();
    const dir = path.join(work, 'limits-nginx');
    const limited = await startNginx({
      bin: ensureNginx(),
      dir,
      port,
      uiRoot,
      upstreams: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`],
      vars: {
        ...nginxTemplateVars({ port, uiRoot, dir }),
        // The test client (127.0.0.1) plays the load balancer: its X-Forwarded-For is the client's address.
        NGINX_REAL_IP_FROM: '127.0.0.1/32',
        NGINX_RATE_PER_SECOND: '1',
        NGINX_RATE_BURST: '3',
        NGINX_CONN_PER_ADDRESS: '2',
      },
    });
    const base = `http://127.0.0.1:${port}`;
    const sockets: WebSocket[] = [];
    try {
      const health = (ip: string) =>
        fetch(`${base}/api/health`, { headers: { 'x-forwarded-for': ip }, signal: AbortSignal.timeout(10_000) });
      const first = randomIp();
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 8; i++) {
        const r = await health(first);
        statuses.push(r.status);
        if (r.status === 429) refused ??= r;
        else await r.arrayBuffer();
      }
      // One at the rate plus a burst of three, then refused (at 1/s a few ms apart, no token comes back).
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.slice(4)).toContain(429);
      expect(refused?.headers.get('retry-after')).toBe('1');
      const body = (await refused?.json()) as { detail: { code: string; message: string } };
      expect(body.detail.code).toBe('RATE_LIMITED');
      // Another client behind the same balancer has its own budget: the key is the real address, not the peer.
      expect((await health(randomIp())).status).toBe(200);

      // Two open sockets per address; the third upgrade is refused.
      const { token } = await newUser(A);
      const sessionId = await newSession(A, token);
      const ip = randomIp();
      const open = () =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(
            `ws://127.0.0.1:${port}/api/chat/ws/${sessionId}?token=${encodeURIComponent(token)}`,
            {
              headers: { 'x-forwarded-for': ip },
            },
          );
          sockets.push(ws);
          ws.once('open', () => resolve(101));
          ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.once('error', () => resolve(0));
        });
      expect(await open()).toBe(101);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await open()).toBe(101);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await open()).toBe(429);
    } finally {
      for (const ws of sockets) ws.terminate();
      await limited.stop();
    }
  }, 40_000);
});

describe('the nginx image configuration', () => {
  it("passes `nginx -t` rendered with the image's own values (api:8080 through Docker's resolver, port 80)", () => {
    const df = readFileSync(path.join(REPO_ROOT, 'nginx/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const env = Object.fromEntries(
      [...(/^ENV (.*)$/m.exec(df)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(env.API_UPSTREAM).toBe('api:8080');
    const dir = path.join(work, 'image-nginx');
    const { confFile, errorLog } = writeNginxConfig({
      bin: ensureNginx(),
      dir,
      port: 80,
      uiRoot,
      upstreams: [`127.0.0.1:${portA}`],
      vars: env,
    });
    const rendered = readFileSync(path.join(dir, 'conf.d/default.conf'), 'utf8');
    expect(rendered).toContain('listen 80;');
    expect(rendered).toContain('resolver 127.0.0.11 valid=10s ipv6=off;');
    const check = spawnSync(ensureNginx(), ['-p', dir, '-c', confFile, '-e', errorLog, '-t'], { encoding: 'utf8' });
    expect(check.stderr).toContain('syntax is ok');
    expect(check.status).toBe(0);
  });
});

describe('the compose upstream path: a DNS name re-resolved through the resolver', () => {
  it("proxies /api to the address the resolver returns for the API_UPSTREAM name, as Docker's DNS does", async () => {
    // Docker's DNS answers `api` with every replica; here the name answers with process A.
    const dns = await startFakeDns({ api: '127.0.0.1' });
    const port = await freePort();
    const dir = path.join(work, 'dns-nginx');
    const viaDns = await startNginx({
      bin: ensureNginx(),
      dir,
      port,
      uiRoot,
      upstreams: [`127.0.0.1:${portB}`],
      vars: {
        API_UPSTREAM: `api:${portA}`,
        NGINX_RESOLVER: `127.0.0.1:${dns.port}`,
        NGINX_LISTEN: `127.0.0.1:${port}`,
        NGINX_UI_ROOT: uiRoot,
        NGINX_MAX_BODY: '12m',
        NGINX_ACCESS_LOG: path.join(dir, 'access.log'),
        NGINX_REAL_IP_FROM: '0.0.0.0/32',
        NGINX_REAL_IP_HEADER: 'X-Forwarded-For',
        NGINX_RATE_PER_SECOND: '100',
        NGINX_RATE_BURST: '100',
        NGINX_CONN_PER_ADDRESS: '100',
      },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await raw(`http://127.0.0.1:${port}/api/health`);
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body.toString()).status).toBe('ok');
      }
      expect(dns.queries).toContain('api');
      // nginx writes the log line just after the response: give the last one a moment.
      const healthLines = () => readAccessLog(viaDns.accessLog).filter((l) => l.startsWith('GET /api/health '));
      for (let i = 0; i < 30 && healthLines().length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      const lines = healthLines();
      expect(
        lines.filter((l) => l.startsWith('GET /api/health 200 upstream=')).map((l) => l.split('upstream=')[1]),
      ).toEqual(Array(3).fill(`127.0.0.1:${portA}`));
    } finally {
      await viaDns.stop();
      await dns.close();
    }
  }, 60_000);
});

describe('the optional TLS server block', () => {
  it('serves over TLS once uncommented as the README says, with HSTS on HTTPS only', async () => {
    const dir = path.join(work, 'tls');
    const certs = path.join(dir, 'certs');
    const templates = path.join(dir, 'templates');
    mkdirSync(certs, { recursive: true });
    mkdirSync(templates, { recursive: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(certs, 'privkey.pem'),
        '-out',
        path.join(certs, 'fullchain.pem'),
      ],
      { stdio: 'pipe', timeout: 30_000 },
    );
    const [httpPort, tlsPort] = [await freePort(), await freePort()];
    // The user's edit: uncomment the TLS lines; here the port and the certificate folder are local ones.
    const original = readFileSync(path.join(REPO_ROOT, 'nginx/templates/default.conf.template'), 'utf8');
    const start = original.indexOf('# --- Optional TLS');
    const end = original.indexOf('server_name _;', start);
    expect(start).toBeGreaterThan(0);
    const block = original
      .slice(start, end)
      .split('\n')
      .map((l, i) => (i === 0 ? l : l.replace(/^(\s*)# /, '$1')))
      .join('\n');
    expect(block).toMatch(/^\s*listen 443 ssl;$/m);
    const edited = (original.slice(0, start) + block + original.slice(end))
      .replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replaceAll('/etc/nginx/certs/', `${certs}/`);
    writeFileSync(path.join(templates, 'default.conf.template'), edited);
    const tls = await startNginx({
      bin: ensureNginx(),
      dir: path.join(dir, 'nginx'),
      port: httpPort,
      uiRoot,
      upstreams: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`],
      templatesDir: templates,
    });
    try {
      const get = (p: string) =>
        new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
          // A self-signed certificate made a moment ago: nothing to verify it against.
          const req = https.get(
            `https://127.0.0.1:${tlsPort}${p}`,
            { rejectUnauthorized: false, timeout: 10_000 },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
            },
          );
          req.on('error', reject);
        });
      const page = await get('/');
      expect(page.status).toBe(200);
      expect(page.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      const api = await get('/api/health');
      expect(api.status).toBe(200);
      expect(api.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      // The same server over plain HTTP does not promise HTTPS.
      const plain = await raw(`http://127.0.0.1:${httpPort}/`);
      expect(plain.status).toBe(200);
      expect(plain.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await tls.stop();
    }
  }, 60_000);
});

describe('streaming through nginx', () => {
  it('delivers SSE chunks one by one as the model produces them, not all at the end', async () => {
    // Users are made on A directly: through nginx every request counts for 127.0.0.1's auth budget.
    const { token } = await newUser(A);
    const sessionId = await newSession(N, token);
    const res = await postStream(N, sessionId, token, 'Count for me');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSseEvents(res);
    const chunks = events.filter((e) => e.event === 'chunk');
    const done = events.at(-1);
    expect(events[0]?.event).toBe('message');
    expect(done?.event).toBe('done');
    expect(chunks.length).toBeGreaterThanOrEqual(8);
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => i + 1));
    expect(chunks.map((c) => c.data.content).join('')).toBe(done?.data.assistantMessage.content);
    // The model spends ~CHUNK_DELAY_MS per chunk: unbuffered, arrivals spread over that time.
    const spread = (chunks.at(-1)?.at ?? 0) - (chunks[0]?.at ?? 0);
    const expected = (chunks.length - 1) * CHUNK_DELAY_MS;
    expect(spread).toBeGreaterThan(expected * 0.5);
    const distinctArrivals = new Set(chunks.map((c) => Math.round(c.at))).size;
    const timeline = chunks.map((c) => Math.round(c.at - (chunks[0]?.at ?? 0))).join(' ');
    // Several separate arrivals, not one burst (on a loaded machine timers bunch a few chunks together).
    expect(distinctArrivals, `chunk arrivals (ms): ${timeline}`).toBeGreaterThanOrEqual(3);
    // The first chunk came long before the answer ended.
    expect((done?.at ?? 0) - (chunks[0]?.at ?? 0)).toBeGreaterThan(expected * 0.5);
  }, 30_000);

  it('runs a WebSocket chat through the upgrade', async () => {
    // Users are made on A directly: through nginx every request counts for 127.0.0.1's auth budget.
    const { token } = await newUser(A);
    const sessionId = await newSession(N, token);
    const ws = new WebSocket(
      `ws://127.0.0.1:${nginxPort}/api/chat/ws/${sessionId}?token=${encodeURIComponent(token)}`,
      {
        headers: { origin: N },
      },
    );
    // biome-ignore lint/suspicious/noExplicitAny: server messages are checked field by field
    const received: any[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
      const finished = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no done: ${JSON.stringify(received)}`)), 20_000);
        ws.on('message', (data) => {
          const msg = JSON.parse(data.toString());
          received.push(msg);
          if (msg.type === 'done' || msg.type === 'error') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      ws.send(JSON.stringify({ type: 'message', content: 'Hello over the socket' }));
      await finished;
    } finally {
      const closed = new Promise((r) => ws.once('close', r));
      ws.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3_000))]);
    }
    expect(received[0]?.type).toBe('message');
    expect(received[0]?.userMessage.content).toBe('Hello over the socket');
    const chunks = received.filter((m) => m.type === 'chunk');
    expect(chunks.length).toBeGreaterThanOrEqual(8);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
    const done = received.at(-1);
    expect(done.type).toBe('done');
    expect(done.status).toBe('complete');
    expect(done.assistantMessage.content).toBe(REPLY);
    expect(chunks.map((c) => c.content).join('')).toBe(REPLY);
    // nginx logs a WebSocket when it ends: the 101 line shows the socket really went through the upgrade.
    const logged = () => accessLogLines().some((l) => l.startsWith(`GET /api/chat/ws/${sessionId} 101 `));
    for (let i = 0; i < 50 && !logged(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(logged()).toBe(true);
    // The socket's ?token= is in no log: the template's line has the path only, and it replaces the image's own
    // (whose $request would hold the query), which therefore stays empty.
    expect(readFileSync(nginx.accessLog, 'utf8')).not.toContain(token);
    expect(readFileSync(nginx.accessLog, 'utf8')).not.toContain('?token=');
    const imageLog = path.join(path.dirname(nginx.accessLog), 'image-access.log');
    expect(existsSync(imageLog) ? readFileSync(imageLog, 'utf8') : '').toBe('');
  }, 30_000);
});

describe('two API processes behave as one', () => {
  it('refuses on process B a token revoked through process A', async () => {
    const { token } = await newUser(A);
    expect((await json(B, 'GET', '/api/auth/me', { token })).status).toBe(200);
    expect((await json(A, 'POST', '/api/auth/logout', { token })).status).toBe(200);
    const onB = await json(B, 'GET', '/api/auth/me', { token });
    expect(onB.status).toBe(401);
    expect(onB.body.detail.code).toMatch(/^(UNAUTHORIZED|AUTHENTICATION_FAILED|TOKEN_REVOKED|TOKEN_INVALID)$/);
    expect((await json(N, 'GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('resumes on process B a stream started on process A, with no gap and no duplicate', async () => {
    // Slower chunks for this one: B must take over while A is still generating, even on a busy machine.
    fake.setScript({ reply: REPLY, chunkDelayMs: 200 });
    try {
      const { token } = await newUser(A);
      const sessionId = await newSession(A, token);
      const leave = new AbortController();
      const res = await postStream(A, sessionId, token, 'Start on A', leave.signal);
      expect(res.status).toBe(200);
      // Read the first chunks on A, then drop the connection mid-answer.
      const first = await readSseEvents(res, (e) => e.event === 'chunk' && (e.id ?? 0) >= 3);
      leave.abort();
      const seenOnA = first.filter((e) => e.event === 'chunk');
      expect(seenOnA.map((e) => e.id)).toEqual([1, 2, 3]);

      const resumed = await fetch(`${B}/api/chat/sessions/${sessionId}/stream`, {
        headers: { authorization: `Bearer ${token}`, 'last-event-id': '3', accept: 'text/event-stream' },
        signal: AbortSignal.timeout(30_000),
      });
      expect(resumed.status).toBe(200);
      const rest = await readSseEvents(resumed);
      const chunksOnB = rest.filter((e) => e.event === 'chunk');
      const done = rest.at(-1);
      expect(done?.event).toBe('done');
      // B had not finished the answer when it took over: it followed A's chunks live, from seq 4 on.
      expect(chunksOnB.length).toBeGreaterThan(0);
      expect(chunksOnB.map((e) => e.id)).toEqual(chunksOnB.map((_, i) => i + 4));
      const text = [...seenOnA, ...chunksOnB].map((e) => e.data.content).join('');
      expect(text).toBe(REPLY);
      expect(done?.data.assistantMessage.content).toBe(REPLY);
      expect(done?.data.assistantMessage.status).toBe('complete');
    } finally {
      fake.setScript({ reply: REPLY, chunkDelayMs: CHUNK_DELAY_MS });
    }
  }, 30_000);

  it('counts auth rate limits across processes: attempts alternating between A and B share one budget', async () => {
    await awaitFreshWindowIfLate();
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_LIMIT; i++) {
      const base = i % 2 === 0 ? A : B;
      const r = await json(base, 'POST', '/api/auth/login', {
        body: { username: 'nobody_here', password: 'Wrong-pass-1' },
        ip,
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(statuses).toEqual([...Array(AUTH_LIMIT).fill(401), 429]);
  }, 70_000);

  it('counts by the real client address behind nginx: a forged X-Forwarded-For does not buy more attempts', async () => {
    await awaitFreshWindowIfLate();
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_LIMIT; i++) {
      const r = await json(N, 'POST', '/api/auth/login', {
        body: { username: 'nobody_here', password: 'Wrong-pass-1' },
        ip: randomIp(),
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([...Array(AUTH_LIMIT).fill(401), 429]);
    // …and those attempts were spread over both processes.
    const loginLines = () => accessLogLines().filter((l) => /^POST \/api\/auth\/login (401|429) /.test(l));
    for (let i = 0; i < 30 && loginLines().length < AUTH_LIMIT + 1; i++) await new Promise((r) => setTimeout(r, 100));
    const upstreams = new Set(
      accessLogLines()
        .filter((l) => l.startsWith('POST /api/auth/login '))
        .map((l) => /upstream=(\S+)/.exec(l)?.[1])
        .filter((u) => u !== '-'),
    );
    expect(upstreams.size).toBe(2);
  }, 70_000);
});
