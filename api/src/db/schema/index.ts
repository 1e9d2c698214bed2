// The whole database schema, as drizzle sees it.
export * from './chat.js';
export * from './files.js';
export * from './limits.js';
export * from './operations.js';
export * from './users.js';
