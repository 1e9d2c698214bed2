// Route table: Health and the API documentation.
import type { RouteSpec } from './route-spec.js';

export const healthRoutes = {
  health: {
    method: 'GET',
    path: '/api/health',
    summary: 'Liveness and the model provider in use',
    tag: 'health',
    auth: 'none',
    success: { status: 200, description: 'The process runs', schema: 'healthResponseSchema' },
    errors: [],
  },
  ready: {
    method: 'GET',
    path: '/api/ready',
    summary: 'Readiness: the database answers',
    tag: 'health',
    auth: 'none',
    success: { status: 200, description: 'Ready to serve', schema: 'readyResponseSchema' },
    errors: [503],
  },
  openapi: {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'docs',
    auth: 'none',
    success: { status: 200, description: 'The OpenAPI document' },
    errors: [],
  },
  docs: {
    method: 'GET',
    path: '/api/docs',
    summary: 'Interactive API documentation (HTML)',
    tag: 'docs',
    auth: 'none',
    success: { status: 200, description: 'The documentation page', contentType: 'text/html' },
    errors: [],
  },
  docsAsset: {
    method: 'GET',
    path: '/api/docs/{file}',
    summary: 'A static file of the documentation page',
    tag: 'docs',
    auth: 'none',
    params: 'fileParamSchema',
    success: { status: 200, description: 'The file', contentType: 'text/plain' },
    errors: [404],
  },
} as const satisfies Record<string, RouteSpec>;
