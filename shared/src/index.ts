// @chatbot/shared: the zod contracts of the Chatbot API, its route table, and the typed SDK built on them.
export * from './contracts/admin.js';
export * from './contracts/auth.js';
export * from './contracts/chat.js';
export * from './contracts/common.js';
export * from './contracts/errors.js';
export * from './contracts/files.js';
export * from './contracts/health.js';
export * from './contracts/keys.js';
export * from './contracts/models.js';
export * from './contracts/search.js';
export * from './contracts/storable-text.js';
export * from './contracts/stream.js';
export * from './contracts/transfer.js';
export * from './contracts/usage.js';
export * from './routes.js';
export * from './sdk/index.js';
