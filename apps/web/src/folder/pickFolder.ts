import type { DirectoryHandleLike } from '@rs/client/folder';

/** Folders picked on Accept, kept for this page until the folder activity starts. */
export const pickedFolders = new Map<string, DirectoryHandleLike>();

type PickerWindow = Window & { showDirectoryPicker?: (opts?: { mode?: 'read' | 'readwrite' }) => Promise<DirectoryHandleLike> };

export function canShareFolder(): boolean {
  return typeof (window as PickerWindow).showDirectoryPicker === 'function';
}

/** The File System Access API's folder picker (Chromium-based browsers). Needs the click's user activation. */
export async function pickFolder(): Promise<DirectoryHandleLike> {
  const w = window as PickerWindow;
  if (!w.showDirectoryPicker) throw new Error('unsupported');
  return w.showDirectoryPicker({ mode: 'readwrite' });
}
