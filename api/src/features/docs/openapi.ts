// The OpenAPI 3.1 document, generated from the shared route table and zod contracts (z.toJSONSchema), never written by hand.
import { ERROR_CODES, type RouteSpec, routes, type SchemaName } from '@chatbot/shared';
import { contractSchemas as schemaRegistry } from '@chatbot/shared/schemas';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

const STATUS_WORDS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_ERROR, naming the field)',
  401: 'Missing, invalid, expired or revoked token (UNAUTHORIZED, TOKEN_INVALID, TOKEN_EXPIRED) or wrong credentials (AUTHENTICATION_FAILED)',
  403: "Someone else's session, or a WebSocket Origin not allowed (FORBIDDEN)",
  404: 'No such session or route (NOT_FOUND)',
  409: 'Already taken (DUPLICATE_USERNAME, DUPLICATE_EMAIL), an answer is already being generated (GENERATION_IN_PROGRESS), or a count limit reached (LIMIT_REACHED)',
  413: 'Request body too large (PAYLOAD_TOO_LARGE)',
  415: 'A file type this server does not take (UNSUPPORTED_MEDIA_TYPE)',
  429: 'Too many requests (RATE_LIMITED, AI_RATE_LIMIT); see Retry-After',
  500: 'Unexpected failure (INTERNAL_ERROR); details are only in the server log',
  502: 'The model provider failed (AI_API_ERROR)',
  503: 'The database is unavailable (SERVICE_UNAVAILABLE); see Retry-After',
};

/** `userSchema` → `User`, `sseEventSchema` → `SseEvent`. */
export function componentName(name: SchemaName): string {
  const base = name.replace(/Schema$/, '');
  return base.charAt(0).toUpperCase() + base.slice(1);
}

function toJsonSchema(name: SchemaName, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...schema } = z.toJSONSchema(schemaRegistry[name], {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return schema;
}

function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** Path, query or header parameters from an object schema: one OpenAPI parameter per property. */
function parametersOf(name: SchemaName, where: 'path' | 'query' | 'header'): unknown[] {
  const schema = toJsonSchema(name, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([key, prop]) => {
    const { description, ...rest } = prop as { description?: string };
    return {
      name: key,
      in: where,
      required: where === 'path' || (schema.required ?? []).includes(key),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

function operationFor(operationId: string, route: RouteSpec, schemas: Record<string, JsonSchema>): Operation {
  // A schema used both ways gets a second component when its input differs (defaults make output fields required).
  const use = (name: SchemaName, io: 'input' | 'output') => {
    const json = toJsonSchema(name, io);
    let component = componentName(name);
    if (schemas[component] && JSON.stringify(schemas[component]) !== JSON.stringify(json)) {
      component += io === 'input' ? 'Input' : 'Output';
    }
    schemas[component] ??= json;
    return ref(component);
  };

  const parameters: unknown[] = [];
  if (route.params) parameters.push(...parametersOf(route.params, 'path'));
  if (route.query) parameters.push(...parametersOf(route.query, 'query'));
  if (route.headers) parameters.push(...parametersOf(route.headers, 'header'));

  const success = route.success as RouteSpec['success'];
  const contentType = success.contentType ?? 'application/json';
  const successResponse: Record<string, unknown> = { description: success.description };
  if (success.status === 204 || success.status === 302) {
    // No Content, or a redirect: nothing to describe.
  } else if (contentType === 'application/json') {
    successResponse.content = { 'application/json': { schema: success.schema ? use(success.schema, 'output') : {} } };
  } else if (contentType === 'text/event-stream') {
    // OpenAPI 3.1 has no per-event schema; the stream is text, each parsed event follows `x-event-schema`.
    successResponse.content = {
      'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': use(success.schema!, 'output') },
    };
  } else if (success.status !== 101) {
    successResponse.content = {
      [contentType]: { schema: { type: 'string' } },
      ...(success.alsoJson ? { 'application/json': { schema: use(success.alsoJson, 'output') } } : {}),
    };
  }
  if (success.status === 101 && success.schema) successResponse['x-message-schema'] = use(success.schema, 'output');

  const responses: Record<string, unknown> = { [String(success.status)]: successResponse };
  for (const status of new Set([...route.errors, 500])) {
    responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  }

  const security =
    route.auth === 'bearer' ? [{ bearerAuth: [] }] : route.auth === 'query-token' ? [{ queryToken: [] }] : [];
  return {
    operationId,
    summary: route.summary,
    tags: [route.tag],
    security,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: use(route.body, 'input') } } } }
      : {}),
    ...(route.multipart ? { requestBody: multipartBody(toJsonSchema(route.multipart, 'input')) } : {}),
    responses,
  };
}

/** A `multipart/form-data` body: the parts as properties, `file` as binary. */
function multipartBody(schema: JsonSchema) {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const properties = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, k === 'file' ? { ...v, type: 'string', format: 'binary' } : v]),
  );
  return { required: true, content: { 'multipart/form-data': { schema: { ...schema, properties } } } };
}

/** Builds the whole document. `serverUrl` is where "Try it out" sends requests (the page's own origin by default). */
export function buildOpenApiDocument(opts: { version?: string; serverUrl?: string } = {}): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { ErrorBody: toJsonSchema('errorBodySchema', 'output') };
  const paths: OpenApiDocument['paths'] = {};
  for (const [operationId, route] of Object.entries(routes) as [string, RouteSpec][]) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationFor(operationId, route, schemas);
  }
  // The WebSocket's client messages travel in frames, not in a request body: document them as a component too.
  schemas[componentName('wsClientMessageSchema')] ??= toJsonSchema('wsClientMessageSchema', 'input');

  const statuses = new Set<number>([500]);
  for (const route of Object.values(routes) as RouteSpec[]) for (const s of route.errors) statuses.add(s);
  const responses: Record<string, unknown> = {};
  for (const status of [...statuses].sort()) {
    responses[`Error${status}`] = {
      description: STATUS_WORDS[status] ?? 'Error',
      content: { 'application/json': { schema: ref('ErrorBody') } },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Chatbot API',
      version: opts.version ?? '0.1.0',
      description: `Every error has the body {"detail":{"message","code","timestamp","field"?}}; codes: ${ERROR_CODES.join(', ')}.`,
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    tags: [
      { name: 'auth', description: 'Accounts and tokens' },
      { name: 'chat', description: 'Sessions and messages' },
      { name: 'stream', description: 'Streaming answers: SSE, WebSocket, stop, resume' },
      { name: 'health', description: 'Liveness and readiness' },
      { name: 'docs', description: 'This documentation' },
      { name: 'keys', description: 'Personal API keys for scripts' },
      { name: 'usage', description: 'Your usage, cost and limits' },
      { name: 'admin', description: 'Operating the install: users, usage, audit (administrators only)' },
      { name: 'files', description: 'Documents and images in conversations' },
    ],
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
  };
}
