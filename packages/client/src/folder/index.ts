/** FT-2 folder access over a data channel or the server relay: in the browser, and in Support Manager (Node, @roamhq/wrtc). */
export { FolderClient } from './folder-client.js';
export { FolderHost, type DirectoryHandleLike, type FileHandleLike, type FileLike, type HostActivity } from './folder-host.js';
export { dataChannelTransport, relayTransport, type DataChannelPort, type FolderTransport } from './transport.js';
export { TransferError, type Progress } from './transfer.js';
export { folderPages } from './listing.js';
