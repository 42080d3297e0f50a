/**
 * The platform backend of the Support Manager (see types.ts for the contract
 * and README.md for how each OS implements it).
 */
import type { Backend } from './types.js';
import { X11Backend, type X11BackendOptions } from './x11/backend.js';

export * from './types.js';
export * from './input.js';
export { X11Backend, type X11BackendOptions } from './x11/backend.js';
export { X11Clipboard, type X11ClipboardOptions } from './x11/clipboard.js';
export { ConnectionLostError } from './x11/connection.js';

export interface BackendOptions {
  /** Linux/X11: the display (default $DISPLAY). */
  x11?: X11BackendOptions;
}

/** The backend for this machine: Linux/X11 now; Windows and macOS are planned (README). */
export async function createBackend(opts: BackendOptions = {}): Promise<Backend> {
  if (process.platform === 'linux' || process.platform === 'freebsd' || process.platform === 'openbsd') {
    if (!opts.x11?.display && !process.env.DISPLAY) throw new Error('no X display: set DISPLAY (Wayland sessions are not supported yet)');
    return X11Backend.connect(opts.x11);
  }
  throw new Error(`no Support Manager backend for ${process.platform} yet`);
}
