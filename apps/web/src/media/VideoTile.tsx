import { useEffect, useRef } from 'react';

/** A <video> bound to a MediaStream; muted always (sound plays through VoiceAudio). */
export function VideoTile({ stream, label, className }: { stream: MediaStream; label: string; className?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    void v.play().catch(() => undefined);
  }, [stream]);
  return (
    <figure className={`tile ${className ?? ''}`}>
      <video ref={ref} autoPlay playsInline muted aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Plays a remote voice stream; `sinkId` chooses the speaker where the browser allows it. */
export function VoiceAudio({ stream, sinkId }: { stream: MediaStream; sinkId: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    if (a.srcObject !== stream) a.srcObject = stream;
    void a.play().catch(() => undefined);
  }, [stream]);
  useEffect(() => {
    const a = ref.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (a?.setSinkId && sinkId) void a.setSinkId(sinkId).catch(() => undefined);
  }, [sinkId]);
  return <audio ref={ref} autoPlay data-voice="remote" />;
}
