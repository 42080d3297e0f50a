import { useEffect, useId, useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { LinkQuality, MediaController } from '@rs/client/media';
import { activeActivities, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { devices, microphone, mediaErrorText } from './capture.js';

/** AUD-1: start (rep in control), join, mute, leave a voice call; choose microphone and speaker. */
export function VoiceControls({
  view,
  me,
  client,
  controller,
  quality,
  sinkId,
  onSinkId,
}: {
  view: SessionView;
  me: string | null;
  client: SessionClient | null;
  controller: MediaController | null;
  quality: Record<string, LinkQuality>;
  sinkId: string;
  onSinkId(id: string): void;
}) {
  const t = useT();
  const micId = useId();
  const spkId = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [speakers, setSpeakers] = useState<MediaDeviceInfo[]>([]);
  const [micChoice, setMicChoice] = useState('');
  const call = activeActivities(view).find((a) => a.kind === 'voice');
  const member = call && me ? call.members[me] : undefined;
  const isPrimary = view.primaryId === me;
  useEffect(() => {
    if (!member) return;
    void devices('audioinput').then(setMics);
    void devices('audiooutput').then(setSpeakers);
  }, [member !== undefined]);

  const withMic = async (intent: () => Promise<unknown>, match: Parameters<MediaController['expectLocal']>[0]) => {
    if (!client || !controller) return;
    setBusy(true);
    setError(null);
    let unbind: (() => void) | null = null;
    try {
      // The browser asks for microphone permission here.
      const stream = await microphone(micChoice || undefined);
      unbind = controller.expectLocal(match, stream);
      await intent();
    } catch (err) {
      unbind?.();
      setError(mediaErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const run = (p: Promise<unknown> | undefined) => void p?.catch((e: unknown) => setError(errorText(e, t)));
  const name = (id: string) => view.participants[id]?.name ?? '?';

  if (!call) {
    if (!isPrimary) return null;
    return (
      <div className="media-controls">
        <button
          type="button"
          disabled={busy || !client}
          onClick={() => void withMic(() => client!.request({ type: 'activity.start', kind: 'voice' }), (a, who) => a.kind === 'voice' && a.members[who] !== undefined)}
        >
          {t('media.audio')}
        </button>
        {error && <Notice kind="error">{error}</Notice>}
      </div>
    );
  }
  const speaking = (id: string) => (quality[id]?.audioLevel ?? 0) > 0.02;
  return (
    <div className="media-controls voice">
      <p>
        {t('media.inCall', {
          names: Object.entries(call.members)
            .map(([id, m]) => `${name(id)}${m.muted ? ` (${t('media.muted')})` : speaking(id) ? ` (${t('media.speaking')})` : ''}`)
            .join(', '),
        })}
      </p>
      <div className="row">
        {member ? (
          <>
            <button type="button" aria-pressed={member.muted} onClick={() => {
              const muted = !member.muted;
              controller?.localStream(call.activityId)?.getAudioTracks().forEach((tr) => (tr.enabled = !muted));
              run(client?.request({ type: 'voice.mute', activityId: call.activityId, muted }));
            }}>
              {member.muted ? t('media.unmute') : t('media.mute')}
            </button>
            <button type="button" className="secondary" onClick={() => run(client?.request({ type: 'voice.leave', activityId: call.activityId }))}>
              {t('media.leaveCall')}
            </button>
          </>
        ) : (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void withMic(() => client!.request({ type: 'voice.join', activityId: call.activityId }), (a, who) => a.activityId === call.activityId && a.members[who] !== undefined)
            }
          >
            {t('media.joinCall')}
          </button>
        )}
        {isPrimary && (
          <button type="button" className="danger" onClick={() => run(client?.request({ type: 'activity.stop', activityId: call.activityId }))}>
            {t('media.endCall')}
          </button>
        )}
      </div>
      {member && (
        <div className="row">
          <div className="field">
            <label htmlFor={micId}>{t('media.microphone')}</label>
            <select
              id={micId}
              value={micChoice}
              onChange={(e) => {
                setMicChoice(e.target.value);
                void microphone(e.target.value || undefined).then((s) => {
                  const track = s.getAudioTracks()[0];
                  if (track) {
                    track.enabled = !member.muted;
                    return controller?.replaceTrack(call.activityId, track);
                  }
                });
              }}
            >
              {mics.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {d.label || `${t('media.microphone')} ${i + 1}`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={spkId}>{t('media.speaker')}</label>
            <select id={spkId} value={sinkId} onChange={(e) => onSinkId(e.target.value)}>
              {speakers.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {d.label || `${t('media.speaker')} ${i + 1}`}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
