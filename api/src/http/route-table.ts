// Routes mounted from the shared route table (shared/src/routes.ts): each route's method, path, auth and validators
// are declared once there; a feature adds only its handler, which receives the validated input already typed.
import { type RouteName, type RouteSpec, routes, type SchemaName } from '@chatbot/shared';
import { type ContractSchemas, contractSchemas } from '@chatbot/shared/schemas';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { TokenService } from '../features/auth/tokens.js';
import type { AppEnv } from './app-env.js';
import { errors } from './app-error.js';
import { requireAuth } from './middleware/auth.js';
import { validate } from './validate.js';

type SchemaOutput<K> = K extends SchemaName ? z.output<ContractSchemas[K]> : never;
type Spec<N extends RouteName> = (typeof routes)[N];

/** What a route's validators produced: path parameters, query, headers and JSON body, each as its schema's output. */
export interface RouteInput<N extends RouteName> {
  param: Spec<N> extends { params: infer K } ? SchemaOutput<K> : undefined;
  query: Spec<N> extends { query: infer K } ? SchemaOutput<K> : undefined;
  header: Spec<N> extends { headers: infer K } ? SchemaOutput<K> : undefined;
  json: Spec<N> extends { body: infer K } ? SchemaOutput<K> : undefined;
}

export type RouteHandler<N extends RouteName> = (
  c: Context<AppEnv>,
  input: RouteInput<N>,
) => Response | Promise<Response>;

export interface RouteOptions {
  /** Middleware between the auth check and validation (a per-IP rate limit that counts malformed attempts too). */
  before?: MiddlewareHandler<AppEnv>[];
}

/** `/api/chat/sessions/{id}` (OpenAPI) as Hono writes it: `/api/chat/sessions/:id`. */
export function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

export interface RouteGroup {
  /** The Hono app holding the group's routes (full paths: mount it with `app.route('/', group.app)`). */
  readonly app: Hono<AppEnv>;
  /** Adds route `name` as the table declares it: bearer auth when it says so, then its param, query and body checks. */
  add<N extends RouteName>(name: N, handler: RouteHandler<N>, opts?: RouteOptions): RouteGroup;
}

/**
 * A feature's routes. Auth comes first (401 before 400, as before), per route rather than app.use, so one feature's
 * middleware never runs on another's paths.
 */
export function routeGroup(deps: { tokens: TokenService }): RouteGroup {
  const app = new Hono<AppEnv>();
  const auth = requireAuth(deps.tokens);
  const group: RouteGroup = {
    app,
    add(name, handler, opts = {}) {
      const spec: RouteSpec = routes[name];
      if (spec.auth === 'query-token') throw new Error(`${name}: a query-token route checks its own handshake`);
      const chain: MiddlewareHandler<AppEnv>[] = [];
      if (spec.auth === 'bearer') chain.push(auth);
      if (spec.access) chain.push(requireAccess(spec.access));
      chain.push(...(opts.before ?? []), ...tableValidators(name));
      const run: MiddlewareHandler<AppEnv> = async (c) => handler(c, routeInput(c, name));
      app.on(spec.method, [honoPath(spec.path)], ...chain, run);
      return group;
    },
  };
  return group;
}

/** The table's `access` rule, checked after authentication and before the input (403 before 400). */
function requireAccess(access: NonNullable<RouteSpec['access']>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (access === 'login' && user.credential !== 'access') {
      throw errors.forbidden('An API key cannot do this; sign in with your password');
    }
    if (access === 'admin' && user.role !== 'admin') throw errors.forbidden('This needs an administrator');
    await next();
  };
}

/**
 * The table's validators of route `name` (params, query, headers, body), for a route that mounts itself (the
 * WebSocket upgrade checks its own handshake, then validates its input as the table says).
 */
export function tableValidators(name: RouteName): MiddlewareHandler<AppEnv>[] {
  const spec: RouteSpec = routes[name];
  const chain: MiddlewareHandler<AppEnv>[] = [];
  if (spec.params) chain.push(check('param', spec.params));
  if (spec.query) chain.push(check('query', spec.query));
  if (spec.headers) chain.push(check('header', spec.headers));
  if (spec.body) chain.push(spec.bodyOptional ? unlessBodyless(check('json', spec.body)) : check('json', spec.body));
  return chain;
}

/**
 * The shared validator for one target of a route. Its input type depends on the schema, which is known here only at
 * run time (a name in the table), so the middleware is held as a plain one; RouteInput restores the types.
 */
function check(target: 'param' | 'query' | 'header' | 'json', name: SchemaName): MiddlewareHandler<AppEnv> {
  return validate(target, contractSchemas[name] as z.ZodType) as unknown as MiddlewareHandler<AppEnv>;
}

/** A body that may be left out: none at all (no Content-Type, no bytes) is taken as `{}`; any other is checked. */
function unlessBodyless(checkBody: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const length = c.req.header('content-length');
    const bodyless =
      !c.req.header('content-type') && !c.req.header('transfer-encoding') && (length === undefined || length === '0');
    if (!bodyless) return checkBody(c, next);
    c.req.addValidatedData('json', {});
    await next();
  };
}

/** The input tableValidators(name) validated, typed from the table's entry. */
export function routeInput<N extends RouteName>(c: Context<AppEnv>, name: N): RouteInput<N> {
  const spec: RouteSpec = routes[name];
  // The validators above ran for exactly the targets the spec names; Hono's types cannot see a chain built at run
  // time, so the values are read untyped and typed by RouteInput, which is derived from the same spec.
  const valid = c.req.valid.bind(c.req) as (target: 'param' | 'query' | 'header' | 'json') => unknown;
  return {
    param: spec.params ? valid('param') : undefined,
    query: spec.query ? valid('query') : undefined,
    header: spec.headers ? valid('header') : undefined,
    json: spec.body ? valid('json') : undefined,
  } as RouteInput<N>;
}
