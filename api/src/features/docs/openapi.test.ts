import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { type JsonSchema, validateJson } from './json-schema.js';
import { buildOpenApiDocument, type OpenApiDocument, type Operation } from './openapi.js';

/** Hono's `:id` (optionally with a regex) as OpenAPI's `{id}`. */
function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
}

/** Every method + path the app answers, without middleware-only entries and the UI's catch-all. */
function servedRoutes(t: TestApp): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of t.app.routes) {
    if (r.method === 'ALL') continue; // app.use() middleware and the /api/* not-found catch-all
    if (!r.path.startsWith('/api/')) continue; // the SPA's static files and fallback
    const entry = { method: r.method.toLowerCase(), path: toOpenApiPath(r.path) };
    seen.set(`${entry.method} ${entry.path}`, entry);
  }
  return [...seen.values()];
}

function operations(doc: OpenApiDocument): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp();
    const res = await call(t.app, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => t.cleanup());

  it('is served as OpenAPI 3.1 and equals the one generated from the route table', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('documents every route the app serves, with the same method and path', () => {
    const served = servedRoutes(t);
    expect(served.length).toBeGreaterThan(5);
    const missing = served.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('documents no route the app does not serve', () => {
    const served = new Set(servedRoutes(t).map((r) => `${r.method} ${r.path}`));
    const extra = operations(doc)
      .map(([path, method]) => `${method} ${path}`)
      .filter((key) => !served.has(key));
    expect(extra).toEqual([]);
  });

  it('gives every operation its error statuses, each with the error body', () => {
    for (const [path, method, op] of operations(doc)) {
      const statuses = Object.keys(op.responses);
      const errors = statuses.filter((s) => Number(s) >= 400);
      expect(errors, `${method} ${path}`).toContain('500');
      if (op.security.length > 0) expect(errors, `${method} ${path}`).toContain('401');
      if (op.requestBody) expect(errors, `${method} ${path}`).toContain('400');
      for (const status of errors) {
        const ref = (op.responses[status] as { $ref: string }).$ref;
        const response = doc.components.responses[ref.split('/').pop()!] as {
          content: { 'application/json': { schema: JsonSchema } };
        };
        expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
      }
    }
  });

  it('states the auth each operation needs', () => {
    const byId = Object.fromEntries(operations(doc).map(([, , op]) => [op.operationId, op]));
    expect(byId.health?.security).toEqual([]);
    expect(byId.login?.security).toEqual([]);
    expect(byId.me?.security).toEqual([{ bearerAuth: [] }]);
    expect(byId.chatSocket?.security).toEqual([{ queryToken: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has only $refs that resolve', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of new Set(refs)) {
      const parts = r.split('/');
      let node: unknown = doc;
      for (const p of parts) node = (node as Record<string, unknown>)[p];
      expect(node, r).toBeTypeOf('object');
    }
  });

  it('describes a real error response: it validates against ErrorBody', async () => {
    const res = await call(t.app, 'GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(validateJson({ $ref: '#/components/schemas/ErrorBody' }, res.body, doc)).toEqual([]);
    // and the checker is not a rubber stamp:
    expect(validateJson({ $ref: '#/components/schemas/ErrorBody' }, { detail: { code: 'NOPE' } }, doc)).not.toEqual([]);
  });
});

describe('the interactive docs page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('is served under the CSP with no inline script', async () => {
    const res = await t.app.request('/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/api\/docs\/[\w.-]+"/);
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/); // nothing between the script tags
    expect(html).not.toMatch(/https?:\/\//); // no CDN
  });

  it('serves its own files from the package, and the init script pointing at the document', async () => {
    const html = await (await t.app.request('/api/docs')).text();
    for (const src of html.match(/\/api\/docs\/[\w.-]+/g) ?? []) {
      const res = await t.app.request(src);
      expect(res.status, src).toBe(200);
      expect((await res.arrayBuffer()).byteLength, src).toBeGreaterThan(0);
    }
    const init = await (await t.app.request('/api/docs/docs-init.js')).text();
    expect(init).toContain("url: '/api/openapi.json'");
    const bundle = await t.app.request('/api/docs/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toContain('javascript');
  });

  it('refuses any other file with the error body', async () => {
    const res = await call(t.app, 'GET', '/api/docs/package.json');
    expect(res.status).toBe(404);
    expect(res.body.detail.code).toBe('NOT_FOUND');
  });
});
