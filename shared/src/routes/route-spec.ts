// What one entry of the route table says: method, path, auth, inputs, success and error statuses.
import type { ContractSchemas } from '../sdk/schemas.js';

export type SchemaName = keyof ContractSchemas;
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI style: `{id}` for a path parameter (Hono writes `:id`). */
  path: string;
  summary: string;
  tag: 'health' | 'auth' | 'chat' | 'stream' | 'docs' | 'keys' | 'usage' | 'admin' | 'files';
  /** `bearer`: `Authorization: Bearer <token>`; `query-token`: `?token=` (the WebSocket handshake). */
  auth: 'none' | 'bearer' | 'query-token';
  /**
   * Who may call a bearer route beyond "signed in": `login` refuses API keys (they cannot manage keys, passwords,
   * devices or the account: 403 FORBIDDEN); `admin` needs the admin role (403 FORBIDDEN).
   */
  access?: 'login' | 'admin';
  params?: SchemaName;
  query?: SchemaName;
  body?: SchemaName;
  /** A `multipart/form-data` body (an upload): the handler reads it itself; the schema names its parts. */
  multipart?: SchemaName;
  /** The body may be left out altogether (no Content-Type, no bytes): the handler then gets `{}`. */
  bodyOptional?: boolean;
  /** Request headers the route reads (an object schema keyed by lowercase header names, e.g. `last-event-id`). */
  headers?: SchemaName;
  success: {
    status: number;
    description: string;
    /** JSON body schema, or for `text/event-stream` the schema of each parsed event. */
    schema?: SchemaName;
    contentType?: 'application/json' | 'text/event-stream' | 'text/html' | 'text/plain' | 'text/markdown';
    /** A route whose main answer is not JSON but that answers JSON on request (export with format=json). */
    alsoJson?: SchemaName;
  };
  /** Every status this route answers with the error body (500 is added to every route by the generator). */
  errors: readonly number[];
}

/** The errors of every bearer route, and of every route on a session the caller must own. */
export const AUTHED = [401] as const;
export const OWNED_SESSION = [400, 401, 403, 404] as const;
