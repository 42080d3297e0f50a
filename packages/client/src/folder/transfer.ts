import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { FOLDER_CHUNK_BYTES, RELAY_CHUNK_BYTES, type FolderMessage } from '@rs/protocol';
import type { FolderTransport } from './transport.js';

export interface Progress {
  done: number;
  total: number;
}

export class TransferError extends Error {}

/** How many chunks the sender reads from its source at once. */
const READ_CHUNKS = 16;

/** Waits for the next message of transfer `id` that satisfies `pick`. */
export function nextMessage<T>(transport: FolderTransport, id: number, pick: (m: FolderMessage, d?: Uint8Array) => T | undefined, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const off = transport.onMessage((m, d) => {
      if (m.id !== id) return;
      if (m.op === 'error' || m.op === 'cancel') {
        off();
        signal?.removeEventListener('abort', onAbort);
        reject(new TransferError(m.op === 'error' ? m.message : 'The other side stopped the transfer.'));
        return;
      }
      const v = pick(m, d);
      if (v !== undefined) {
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      }
    });
    const onAbort = () => {
      off();
      reject(new TransferError('Stopped.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends a file's bytes on transfer `id`: begin, chunks (64 KiB on a data
 * channel) within an acknowledgement window, end with the SHA-256; resolves
 * when the receiver confirms that what it got matches.
 */
export async function sendBytes(
  transport: FolderTransport,
  id: number,
  source: { name: string; size: number; slice(start: number, end: number): Promise<Uint8Array> },
  opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const chunk = transport.kind === 'datachannel' ? FOLDER_CHUNK_BYTES : RELAY_CHUNK_BYTES;
  const windowBytes = chunk * (transport.kind === 'datachannel' ? 32 : 8);
  let acked = 0;
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const off = transport.onMessage((m) => {
    if (m.id !== id) return;
    if (m.op === 'ack') acked = Math.max(acked, m.received);
    if (m.op === 'error' || m.op === 'cancel') failure = new TransferError(m.op === 'error' ? m.message : 'The other side stopped the transfer.');
    wake?.();
  });
  const confirmed = nextMessage(transport, id, (m) => (m.op === 'done' ? true : undefined), opts.signal);
  confirmed.catch(() => undefined);
  try {
    const hash = sha256.create();
    await transport.send({ op: 'begin', id, name: source.name, size: source.size });
    let sent = 0;
    // The source is read READ_CHUNKS chunks at a time (one read of a File is an IPC round trip in a browser).
    let block: Uint8Array = new Uint8Array(0);
    let blockStart = 0;
    while (sent < source.size) {
      if (opts.signal?.aborted) {
        await transport.send({ op: 'cancel', id }).catch(() => undefined);
        throw new TransferError('Stopped.');
      }
      if (failure) throw failure;
      if (sent - acked >= windowBytes) {
        await new Promise<void>((r) => {
          wake = r;
          opts.signal?.addEventListener('abort', () => r(), { once: true });
        });
        wake = null;
        continue;
      }
      if (sent >= blockStart + block.length) {
        blockStart = sent;
        block = await source.slice(sent, Math.min(sent + chunk * READ_CHUNKS, source.size));
        if (block.length === 0) throw new TransferError('The file became shorter while it was sent.');
      }
      const bytes = block.subarray(sent - blockStart, Math.min(sent - blockStart + chunk, block.length));
      hash.update(bytes);
      await transport.send({ op: 'chunk', id, b64: '' }, bytes);
      sent += bytes.length;
      opts.onProgress?.({ done: sent, total: source.size });
    }
    if (source.size === 0) opts.onProgress?.({ done: 0, total: 0 });
    await transport.send({ op: 'end', id, sha256: bytesToHex(hash.digest()) });
    await confirmed;
  } finally {
    off();
  }
}

/**
 * Receives transfer `id` into `sink`, acknowledging as it goes; checks the
 * SHA-256 at the end and tells the sender "done" or "error".
 */
export async function receiveBytes(
  transport: FolderTransport,
  id: number,
  sink: { write(bytes: Uint8Array): Promise<void>; commit(): Promise<void>; discard(): Promise<void> },
  opts: { onBegin?: (b: { name: string; size: number }) => void; onProgress?: (p: Progress) => void; signal?: AbortSignal } = {},
): Promise<{ size: number; sha256: string }> {
  const hash = sha256.create();
  let received = 0;
  let lastAck = 0;
  let total = 0;
  let queue = Promise.resolve();
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      off();
      void sink.discard().catch(() => undefined);
      reject(err);
    };
    const onAbort = () => {
      void transport.send({ op: 'cancel', id }).catch(() => undefined);
      fail(new TransferError('Stopped.'));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const off = transport.onMessage((m, data) => {
      if (m.id !== id) return;
      queue = queue.then(async () => {
        switch (m.op) {
          case 'begin':
            total = m.size;
            opts.onBegin?.({ name: m.name, size: m.size });
            return;
          case 'chunk': {
            if (!data) return;
            if (received + data.length > total) throw new TransferError('More bytes arrived than announced.');
            hash.update(data);
            await sink.write(data);
            received += data.length;
            opts.onProgress?.({ done: received, total });
            if (received - lastAck >= FOLDER_CHUNK_BYTES * 4 || received === total) {
              lastAck = received;
              await transport.send({ op: 'ack', id, received });
            }
            return;
          }
          case 'end': {
            const actual = bytesToHex(hash.digest());
            if (actual !== m.sha256 || received !== total) {
              await transport.send({ op: 'error', id, message: 'The file arrived damaged (SHA-256 mismatch).' }).catch(() => undefined);
              throw new TransferError('The file arrived damaged (SHA-256 mismatch).');
            }
            await sink.commit();
            await transport.send({ op: 'done', id });
            off();
            opts.signal?.removeEventListener('abort', onAbort);
            resolve({ size: received, sha256: actual });
            return;
          }
          case 'error':
          case 'cancel':
            throw new TransferError(m.op === 'error' ? m.message : 'The other side stopped the transfer.');
          default:
            return;
        }
      }).catch((err: unknown) => fail(err instanceof Error ? err : new TransferError(String(err))));
    });
  });
}
