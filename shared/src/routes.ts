// The one route table of the Chatbot API: every route's method, path, auth, inputs, success and error statuses.
// The SDK builds its URLs from it and the API's OpenAPI document is generated from it. It names schemas
// (keys of sdk/schemas.ts) instead of importing them, so importing the table pulls no zod into a browser bundle.
import { authRoutes } from './routes/auth.js';
import { chatRoutes } from './routes/chat.js';
import { dataRoutes } from './routes/data.js';
import { filesRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { operationsRoutes } from './routes/operations.js';
import type { RouteSpec } from './routes/route-spec.js';
import { streamRoutes } from './routes/stream.js';

export type { HttpMethod, RouteSpec, SchemaName } from './routes/route-spec.js';

export const routes = {
  ...healthRoutes,
  ...authRoutes,
  ...chatRoutes,
  ...streamRoutes,
  ...dataRoutes,
  ...operationsRoutes,
  ...filesRoutes,
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof routes;

/** The URL path of a route with its `{param}`s filled in (each encoded). */
export function routePath(name: RouteName, params: Record<string, string | number> = {}): string {
  return routes[name].path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`routePath(${name}): missing parameter "${key}"`);
    return encodeURIComponent(String(value));
  });
}
