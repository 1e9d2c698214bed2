// Routes mounted from the table: every route the table says needs a credential refuses a request without one, and
// a route's validators are the table's (a bad path parameter is named as the table's schema names it).
import { type RouteName, routePath, routes } from '@chatbot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser } from '../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../test/harness.js';
import { honoPath } from './route-table.js';

describe('routes mounted from the route table', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  const guarded = (Object.keys(routes) as RouteName[]).filter((name) => routes[name].auth !== 'none');

  it.each(guarded)('%s answers 401 without a credential', async (name) => {
    const spec = routes[name];
    const params = Object.fromEntries([...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, 1]));
    const res = await call(t.app, spec.method, routePath(name, params), {
      body: spec.method === 'GET' || spec.method === 'DELETE' ? undefined : {},
    });
    expect(res.status).toBe(401);
    expect(res.body.detail.code).toBe('UNAUTHORIZED');
  });

  it('validates path parameters with the table’s schema before the handler runs', async () => {
    const { token } = await seedUser(t);
    const res = await call(t.app, 'GET', '/api/chat/sessions/not-a-number', { token });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'id' });
  });

  it('writes OpenAPI path parameters the way Hono matches them', () => {
    expect(honoPath('/api/chat/sessions/{id}/messages/{messageId}/edit')).toBe(
      '/api/chat/sessions/:id/messages/:messageId/edit',
    );
  });
});
