/** Browser-only: FT-2 folder access over a data channel or the server relay. */
export { FolderClient } from './folder-client.js';
export { FolderHost, type DirectoryHandleLike, type FileHandleLike, type HostActivity } from './folder-host.js';
export { dataChannelTransport, relayTransport, type FolderTransport } from './transport.js';
export { TransferError, type Progress } from './transfer.js';
export { folderPages } from './listing.js';
