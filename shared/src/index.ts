// @chatbot/shared: the zod contracts of the Chatbot API (and, later, its typed client).
export * from './contracts/auth.js';
export * from './contracts/chat.js';
export * from './contracts/common.js';
export * from './contracts/errors.js';
export * from './contracts/health.js';
export * from './contracts/stream.js';
