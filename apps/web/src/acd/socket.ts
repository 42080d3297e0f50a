import { useEffect, useRef, useState } from 'react';
import { AcdServerMessage, errorCodes, FINAL_CLOSE_CODES, RsError, type AcdHello, type ErrorCode } from '@rs/protocol';
import { errorText } from '../app/api.js';
import type { Translate } from '../i18n/index.js';

/** How the WebACD socket is doing; `closed` only after a close that reconnecting cannot fix. */
export type AcdConnection =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting'; attempt: number }
  | { state: 'closed'; code: number };

/** An acd.error in the person's language (the server's own words for validation errors). */
export function acdErrorText(m: { code: string; message: string }, t: Translate): string {
  const code = (errorCodes as string[]).includes(m.code) ? (m.code as ErrorCode) : 'RS_ERR_INTERNAL';
  return errorText(new RsError(code, m.message), t);
}

export function acdWsUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws/acd`;
}

/** An acd.error with one of these codes will not go away by reconnecting (no role, wrong ticket, request gone). */
const FINAL_ERRORS: ReadonlySet<string> = new Set(['RS_ERR_FORBIDDEN', 'RS_ERR_UNAUTHENTICATED', 'RS_ERR_NOT_FOUND', 'RS_ERR_VALIDATION']);

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;

/**
 * `/ws/acd`: says hello, then hands every server message to `onMessage`.
 * Each message is a complete snapshot, so after a reconnect (with backoff)
 * nothing needs catching up. `hello` null: no socket.
 */
export function useAcdSocket(hello: AcdHello | null, onMessage: (m: AcdServerMessage) => void): AcdConnection {
  const [connection, setConnection] = useState<AcdConnection>({ state: 'connecting' });
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const key = hello ? JSON.stringify(hello) : null;
  useEffect(() => {
    if (!key) return;
    const helloMsg = JSON.parse(key) as AcdHello;
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let finalError = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      if (stopped) return;
      const s = new WebSocket(acdWsUrl());
      ws = s;
      s.onopen = () => {
        s.send(JSON.stringify(helloMsg));
      };
      s.onmessage = (ev) => {
        let data: unknown;
        try {
          data = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        const parsed = AcdServerMessage.safeParse(data);
        if (!parsed.success) return;
        if (parsed.data.type !== 'acd.error') {
          attempt = 0;
          setConnection({ state: 'open' });
        } else if (FINAL_ERRORS.has(parsed.data.code)) finalError = true;
        handler.current(parsed.data);
      };
      s.onclose = (ev) => {
        if (stopped) return;
        ws = null;
        if (finalError || FINAL_CLOSE_CODES.has(ev.code)) {
          setConnection({ state: 'closed', code: ev.code });
          return;
        }
        attempt += 1;
        setConnection({ state: 'reconnecting', attempt });
        const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(attempt - 1, 8));
        timer = setTimeout(connect, base / 2 + Math.random() * (base / 2));
      };
    };
    setConnection({ state: 'connecting' });
    connect();
    // Coming back online: try at once instead of waiting for the backoff.
    const online = () => {
      if (!ws && !stopped) {
        clearTimeout(timer);
        connect();
      }
    };
    window.addEventListener('online', online);
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('online', online);
      ws?.close(1000);
    };
  }, [key]);
  return connection;
}
