import type { MediaController, RemoteStream } from '@rs/client/media';
import { CONTROL_KINDS, SHARING_KINDS, activeActivities, type SessionView } from '@rs/protocol';
import { ControlVideo } from './RemoteControl.js';
import { useT } from '../i18n/index.js';
import { VideoTile, VoiceAudio } from './VideoTile.js';

/** Everything visual that is shared in the session, for whoever is looking (S-3: everyone sees the share). */
export function MediaStage({
  view,
  me,
  controller,
  remotes,
  sinkId,
}: {
  view: SessionView;
  me: string | null;
  controller: MediaController | null;
  remotes: RemoteStream[];
  sinkId: string;
}) {
  const t = useT();
  const name = (id: string) => view.participants[id]?.name ?? '?';
  const active = activeActivities(view);
  const localTiles = active
    .filter((a) => a.sharer === me && a.kind !== 'voice')
    .map((a) => ({ a, stream: controller?.localStream(a.activityId) }))
    .filter((x): x is { a: (typeof x)['a']; stream: MediaStream } => x.stream !== undefined);
  const screens = remotes.filter((r) => SHARING_KINDS.has(r.kind) || CONTROL_KINDS.has(r.kind));
  const cameras = remotes.filter((r) => r.kind === 'video');
  const voices = remotes.filter((r) => r.kind === 'voice');
  if (screens.length + cameras.length + localTiles.length + voices.length === 0) return null;
  return (
    <section className="panel stage" aria-label={t('media.stage')}>
      {screens.map((r) => {
        const a = view.activities[r.activityId];
        if (a && CONTROL_KINDS.has(a.kind)) {
          // DSK-2: the device sends the customer's screen; the rep who asked controls it, others watch.
          const asker = a.requestId ? view.consents[a.requestId]?.from : undefined;
          if (asker === me)
            return (
              <ControlVideo
                key={`${r.activityId}:${r.from}`}
                stream={r.stream}
                label={t('media.control.remoteScreen', { name: name(a.sharer) })}
                caption={`${t('media.screenOf', { name: name(a.sharer) })} · ${t('media.control.caption')}`}
                activityId={r.activityId}
                from={r.from}
                controller={controller}
                lastSeq={view.lastSeq}
              />
            );
          return <VideoTile key={`${r.activityId}:${r.from}`} stream={r.stream} label={t('media.screenOf', { name: name(a.sharer) })} className="screen" />;
        }
        return <VideoTile key={`${r.activityId}:${r.from}`} stream={r.stream} label={t('media.screenOf', { name: name(r.from) })} className="screen" />;
      })}
      <div className="tiles">
        {cameras.map((r) => (
          <VideoTile key={`${r.activityId}:${r.from}`} stream={r.stream} label={t('media.cameraOf', { name: name(r.from) })} className="camera" />
        ))}
        {localTiles.map(({ a, stream }) => (
          <VideoTile
            key={a.activityId}
            stream={stream}
            label={a.kind === 'video' ? t('media.yourCamera') : t('media.yourShare')}
            className={a.kind === 'video' ? 'camera local' : 'camera local share'}
          />
        ))}
      </div>
      {voices.map((r) => (
        <VoiceAudio key={`${r.activityId}:${r.from}`} stream={r.stream} sinkId={sinkId} />
      ))}
    </section>
  );
}
