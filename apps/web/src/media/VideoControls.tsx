import { useEffect, useId, useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { MediaController } from '@rs/client/media';
import { activeActivities, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { camera, devices, mediaErrorText } from './capture.js';

/** VID-1: send your camera to everyone; choose the camera; turn it off. */
export function VideoControls({ view, me, client, controller }: { view: SessionView; me: string | null; client: SessionClient | null; controller: MediaController | null }) {
  const t = useT();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cams, setCams] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState('');
  const mine = activeActivities(view).find((a) => a.kind === 'video' && a.sharer === me);
  useEffect(() => {
    if (mine) void devices('videoinput').then(setCams);
  }, [mine?.activityId]);

  const start = async () => {
    if (!client || !controller) return;
    setBusy(true);
    setError(null);
    let unbind: (() => void) | null = null;
    try {
      const stream = await camera(deviceId || undefined);
      unbind = controller.expectLocal((a, who) => a.kind === 'video' && a.sharer === who, stream);
      await client.request({ type: 'activity.start', kind: 'video' });
    } catch (err) {
      unbind?.();
      setError(mediaErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    if (!mine || !client) return;
    await client.request({ type: 'activity.stop', activityId: mine.activityId }).catch((e: unknown) => setError(errorText(e, t)));
  };
  const choose = async (next: string) => {
    setDeviceId(next);
    if (!mine || !controller) return;
    const track = (await camera(next)).getVideoTracks()[0];
    if (track) await controller.replaceTrack(mine.activityId, track);
  };
  return (
    <div className="media-controls">
      {mine ? (
        <button type="button" className="secondary" onClick={() => void stop()}>
          {t('media.stopVideo')}
        </button>
      ) : (
        <button type="button" onClick={() => void start()} disabled={busy || !client}>
          {t('media.video')}
        </button>
      )}
      {mine && cams.length > 1 && (
        <div className="field">
          <label htmlFor={id}>{t('media.camera')}</label>
          <select id={id} value={deviceId} onChange={(e) => void choose(e.target.value)}>
            {cams.map((c, i) => (
              <option key={c.deviceId || i} value={c.deviceId}>
                {c.label || `${t('media.camera')} ${i + 1}`}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
