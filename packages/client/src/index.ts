export { ApiClient } from './api.js';
export { SessionClient, type ConnectionState, type SessionClientOptions, type SocketFactory, type SocketLike } from './session-client.js';
export type { IncomingSignal } from './session-client.js';
export { chunkListSha256, uploadFile, type UploadOptions, type UploadProgress } from './files/upload.js';
