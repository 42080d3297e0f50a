import { useEffect, useState } from 'react';
import type { SessionClient } from '@rs/client';
import { dataChannelTransport, relayTransport, type FolderTransport } from '@rs/client/folder';
import type { MediaController } from '@rs/client/media';

/** How long the rep waits for a direct data channel before falling back to the server relay. */
const DIRECT_WAIT_MS = 8000;

declare global {
  interface Window {
    /** Set by tests to skip the data channel and use the server relay (FT-2 fallback). */
    __rsForceRelay?: boolean;
  }
}

/**
 * The transport(s) for one folder activity with one peer. The rep picks one:
 * the data channel when it opens, else the relay (after a timeout, or at once
 * when no media path can be made). The customer answers on both.
 */
export function useFolderTransports(
  controller: MediaController | null,
  client: SessionClient | null,
  activityId: string,
  peer: string | null,
  mode: 'pick-one' | 'serve-both',
): FolderTransport[] {
  const [transports, setTransports] = useState<FolderTransport[]>([]);
  useEffect(() => {
    if (!controller || !client || !peer) return;
    const relaySubscribe = (cb: (from: string, data: string) => void) =>
      controller.on((e) => {
        if (e.type === 'relay' && e.activityId === activityId) cb(e.from, e.data);
      });
    const relay = () => relayTransport(client, activityId, peer, relaySubscribe);
    let chosen = false;
    const choose = (t: FolderTransport) => {
      if (mode === 'pick-one') {
        if (chosen) return;
        chosen = true;
        setTransports([t]);
      } else setTransports((ts) => [...ts, t]);
    };
    if (mode === 'serve-both') choose(relay());
    const forceRelay = window.__rsForceRelay === true;
    const existing = controller.channelFor(activityId, peer);
    if (existing && !forceRelay) choose(dataChannelTransport(existing));
    const off = controller.on((e) => {
      if (e.type === 'channel' && e.activityId === activityId && e.remote === peer && (!forceRelay || mode === 'serve-both')) choose(dataChannelTransport(e.channel));
      if (e.type === 'failed' && e.activityId === activityId && mode === 'pick-one') choose(relay());
    });
    const timer = mode === 'pick-one' ? setTimeout(() => choose(relay()), forceRelay ? 0 : DIRECT_WAIT_MS) : null;
    return () => {
      off();
      if (timer) clearTimeout(timer);
      setTransports([]);
    };
  }, [controller, client, activityId, peer, mode]);
  return transports;
}
