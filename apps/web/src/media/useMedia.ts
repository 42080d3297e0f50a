import { useEffect, useState } from 'react';
import type { SessionClient } from '@rs/client';
import { MediaController, type LinkQuality, type RemoteStream } from '@rs/client/media';

export interface MediaState {
  controller: MediaController | null;
  remotes: RemoteStream[];
  quality: Record<string, LinkQuality>;
  /** Participants with whom no media path could be made. */
  failed: string[];
}

/** One MediaController per session connection; re-renders on remote streams and quality. */
export function useMedia(client: SessionClient | null): MediaState {
  const [controller, setController] = useState<MediaController | null>(null);
  const [remotes, setRemotes] = useState<RemoteStream[]>([]);
  const [quality, setQuality] = useState<Record<string, LinkQuality>>({});
  const [failed, setFailed] = useState<string[]>([]);
  useEffect(() => {
    if (!client) return;
    const c = new MediaController(client, window.__rsIcePolicy ? { iceTransportPolicy: window.__rsIcePolicy } : {});
    const off = c.on((e) => {
      if (e.type === 'remotes') {
        setRemotes(e.remotes);
        setFailed((f) => f.filter((id) => !e.remotes.some((r) => r.from === id)));
      } else if (e.type === 'quality') setQuality(e.byParticipant);
      else if (e.type === 'failed') setFailed((f) => (f.includes(e.participantId) ? f : [...f, e.participantId]));
    });
    setController(c);
    // Tests and benchmarks read WebRTC statistics through this handle.
    window.__rsMedia = c;
    return () => {
      off();
      c.close();
      setController(null);
    };
  }, [client]);
  return { controller, remotes, quality, failed };
}

declare global {
  interface Window {
    __rsMedia?: MediaController;
    /** Set by tests to force relay-only ICE (TURN). */
    __rsIcePolicy?: RTCIceTransportPolicy;
  }
}
