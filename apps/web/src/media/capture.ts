import { errorText } from '../app/api.js';
import type { Translate } from '../i18n/index.js';
import type { ConsentKind } from '@rs/protocol';

/**
 * Screen or window capture for a share. Desktop kinds prefer the whole
 * screen, application kinds a window; the browser's picker lets the person
 * choose (APP-1: the customer chooses which application).
 */
export async function captureFor(kind: ConsentKind): Promise<MediaStream> {
  const surface = kind.startsWith('desktop') ? 'monitor' : 'window';
  return navigator.mediaDevices.getDisplayMedia({
    video: { displaySurface: surface, frameRate: { ideal: 30 } } as MediaTrackConstraints,
    audio: false,
  });
}

export async function camera(deviceId?: string): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ video: deviceId ? { deviceId: { exact: deviceId } } : true, audio: false });
}

export async function microphone(deviceId?: string): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: true, noiseSuppression: true },
    video: false,
  });
}

export async function devices(kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
  try {
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind);
  } catch {
    return [];
  }
}

/**
 * A failure of the browser's capture (permission, picker cancelled) says so;
 * anything else is a server or connection error with its own text.
 */
export function mediaErrorText(err: unknown, t: Translate): string {
  return err instanceof Error && !('code' in err) ? t('media.captureFailed', { message: err.message }) : errorText(err, t);
}
