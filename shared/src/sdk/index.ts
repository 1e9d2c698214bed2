// The SDK's public surface: createClient, ApiError and the streaming types.
export {
  type CallOptions,
  type ChatbotClient,
  type ClientOptions,
  createClient,
  type FileListParams,
  type HeldTokens,
  type SessionListParams,
  type SessionPageParams,
  type UploadFileOptions,
} from './client.js';
export { ApiError, isAbortError } from './errors.js';
export type { StopResponse } from './route-params.js';
export { parseSse, type RawSseEvent } from './sse.js';
export { ChatSocket, type ChatSocketEvents, type ChatSocketState, type WebSocketConstructor } from './websocket.js';
