import { FOLDER_TEXT_MAX_CHARS, FolderMessage, LIMITS } from '@rs/protocol';
import type { SessionClient } from '../session-client.js';
import { utf8Length } from './listing.js';

/** How folder messages travel: a data channel, or the server relay when no peer path exists. */
export interface FolderTransport {
  readonly kind: 'datachannel' | 'relay';
  /** Resolves when there is room to send more (flow control of the channel). */
  send(msg: FolderMessage, data?: Uint8Array): Promise<void>;
  onMessage(cb: (msg: FolderMessage, data?: Uint8Array) => void): () => void;
}

/** A text message from the other side, validated; anything else (not JSON, not a folder message, too long) is dropped. */
function parse(text: string): FolderMessage | null {
  if (text.length > FOLDER_TEXT_MAX_CHARS) return null;
  try {
    const r = FolderMessage.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Without `bufferedamountlow` events (see DataChannelPort), how often the buffer is looked at while it is full. */
const DRAIN_POLL_MS = 5;

/**
 * What the transport uses of a data channel: a browser's RTCDataChannel, or
 * one of `@roamhq/wrtc` in Node (Support Manager), which has
 * `bufferedAmount` but neither `bufferedAmountLowThreshold` nor the
 * `bufferedamountlow` event.
 */
export interface DataChannelPort {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold?: number;
  addEventListener(type: 'message', cb: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'bufferedamountlow' | 'close', cb: () => void, opts?: { once?: boolean }): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', cb: () => void): void;
  send(data: string): void;
  send(data: Uint8Array<ArrayBuffer>): void;
}

/** Resolves when the channel's buffer is down to LOW_WATER, looking at it every DRAIN_POLL_MS; rejects when it closes. */
function drained(channel: DataChannelPort): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const look = () => {
      if (channel.readyState !== 'open') reject(new Error('The connection closed.'));
      else if (channel.bufferedAmount <= LOW_WATER) resolve();
      else setTimeout(look, DRAIN_POLL_MS);
    };
    look();
  });
}

/** Binary frames are a 4-byte transfer id and the bytes; text frames are JSON messages. */
export function dataChannelTransport(channel: DataChannelPort): FolderTransport {
  // Decided before setting it: on a channel without the property, setting it would only add a plain field.
  const lowEvents = 'onbufferedamountlow' in channel;
  if (lowEvents) channel.bufferedAmountLowThreshold = LOW_WATER;
  const listeners = new Set<(m: FolderMessage, d?: Uint8Array) => void>();
  channel.addEventListener('message', (ev) => {
    if (typeof ev.data === 'string') {
      const m = parse(ev.data);
      if (m) for (const l of listeners) l(m);
    } else if (ev.data instanceof ArrayBuffer && ev.data.byteLength >= 4) {
      const id = new DataView(ev.data).getUint32(0);
      const bytes = new Uint8Array(ev.data, 4);
      for (const l of listeners) l({ op: 'chunk', id, b64: '' }, bytes);
    }
  });
  const room = () =>
    channel.bufferedAmount <= HIGH_WATER
      ? Promise.resolve()
      : !lowEvents
        ? drained(channel)
        : new Promise<void>((resolve, reject) => {
            const done = () => {
              channel.removeEventListener('bufferedamountlow', done);
              channel.removeEventListener('close', fail);
              resolve();
            };
            const fail = () => {
              channel.removeEventListener('bufferedamountlow', done);
              reject(new Error('The connection closed.'));
            };
            channel.addEventListener('bufferedamountlow', done);
            channel.addEventListener('close', fail, { once: true });
          });
  return {
    kind: 'datachannel',
    async send(msg, data) {
      if (channel.readyState !== 'open') throw new Error('The connection closed.');
      await room();
      if (msg.op === 'chunk' && data) {
        const frame = new Uint8Array(4 + data.length);
        new DataView(frame.buffer).setUint32(0, msg.id);
        frame.set(data, 4);
        channel.send(frame);
      } else {
        const text = JSON.stringify(msg);
        // The other side would drop it unread (parse): fail here instead.
        if (text.length > FOLDER_TEXT_MAX_CHARS) throw new Error('This is too large to send.');
        channel.send(text);
      }
    },
    onMessage(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}

function toB64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromB64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * What one relayed message may be: the signal payload's `data` is at most
 * 60 000 characters (SignalPayload), and the whole signal frame, where `data`
 * is a JSON string again (quotes escaped), at most LIMITS.frameBytes bytes
 * of UTF-8; ids and the frame's other fields take under 300.
 */
const RELAY_DATA_CHARS = FOLDER_TEXT_MAX_CHARS;
const RELAY_ESCAPED_BYTES = LIMITS.frameBytes - 300;

/** Through the server's signaling relay; pacing comes from the acknowledgement window. */
export function relayTransport(
  client: SessionClient,
  activityId: string,
  peer: string,
  subscribe: (cb: (from: string, data: string) => void) => () => void,
): FolderTransport {
  return {
    kind: 'relay',
    async send(msg, data) {
      const out: FolderMessage = msg.op === 'chunk' && data ? { op: 'chunk', id: msg.id, b64: toB64(data) } : msg;
      const text = JSON.stringify(out);
      // The server would refuse it and the other side would wait forever: fail here instead.
      if (text.length > RELAY_DATA_CHARS || utf8Length(JSON.stringify(text)) > RELAY_ESCAPED_BYTES) throw new Error('This is too large to send through the server.');
      client.sendSignal(activityId, peer, { kind: 'relay', data: text });
    },
    onMessage(cb) {
      return subscribe((from, text) => {
        if (from !== peer) return;
        const m = parse(text);
        if (!m) return;
        if (m.op === 'chunk') cb(m, fromB64(m.b64));
        else cb(m);
      });
    },
  };
}
