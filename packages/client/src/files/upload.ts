import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { RsError, type CompleteUploadBody, type FileDirection, type UploadInfo } from '@rs/protocol';
import type { ApiClient } from '../api.js';

export interface UploadProgress {
  sent: number;
  total: number;
}

export interface UploadOptions {
  api: ApiClient;
  sessionId: string;
  file: Blob & { name: string; lastModified?: number };
  direction: FileDirection;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
  /** Failures in a row (a dropped connection, a chunk refused for its offset) before giving up. */
  retries?: number;
  /** Chunk PUTs on their way at once (default 2). */
  inFlight?: number;
  /**
   * SHA-256 of a chunk, raw 32 bytes. Default: Web Crypto (native in
   * browsers and Node), else the JS fallback. A Node program may pass
   * node:crypto's, which hashes in place where Web Crypto copies the chunk first.
   */
  sha256?: (bytes: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  /** Called when a chunk failed on a dropped connection and is tried again (after a wait). */
  onRetry?: (r: { attempt: number; error: RsError }) => void;
  /** Waits between retries; injected so tests control time. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const stopped = () => new RsError('RS_ERR_INVALID_STATE', 'The upload was stopped.');

/** Resolves when `p` does or as soon as the signal aborts, so a stop is not held up by a wait. */
function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** SHA-256 (raw 32 bytes): native Web Crypto where there is one (browsers in a secure context, Node), else the JS fallback. */
async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return sha256(bytes);
}

/**
 * The chunk-list hash of CompleteUploadBody: the SHA-256 over the raw
 * 32-byte SHA-256 digests of the file's chunks, in order.
 */
export async function chunkListSha256(chunkDigests: readonly Uint8Array[]): Promise<string> {
  const all = new Uint8Array(chunkDigests.length * 32);
  chunkDigests.forEach((d, i) => all.set(d, i * 32));
  return bytesToHex(await digest(all));
}

/** One chunk of the file, read and hashed, and the part of it still to send. */
interface Prepared {
  index: number;
  digest: Uint8Array;
  /** Where `send` starts in the file. */
  offset: number;
  /** What the server does not have yet (empty when it has the whole chunk: a resumed upload). */
  send: Uint8Array;
  sendSha: string;
}

type PutOutcome = { ok: UploadInfo } | { error: RsError };

/**
 * FT-1 upload: the file goes in chunks of `chunkBytes` (4 MiB), each with
 * its SHA-256 (Web Crypto, native), resumed from what the server has (after
 * a dropped connection, or a reload when the same file is picked again);
 * then `complete` with the chunk-list hash (the SHA-256 over the chunks'
 * digests), which the server checks against what it stored before the file
 * is offered. Two chunk PUTs are on their way at once (`inFlight`), and the
 * next chunk is read and hashed meanwhile, so that neither the server's
 * answer to one chunk nor the start of the next leaves the connection idle;
 * the server lets a chunk that arrives early wait for the one before it. No
 * hashing of the whole file in JavaScript.
 */
export async function uploadFile(opts: UploadOptions): Promise<UploadInfo> {
  const { api, sessionId, file } = opts;
  const sleep = opts.sleep ?? defaultSleep;
  const hash = opts.sha256 ?? digest;
  const inFlight = Math.max(1, opts.inFlight ?? 2);
  const retries = opts.retries ?? 8;
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/files`;
  let info = await api.post<UploadInfo>(base, {
    name: file.name,
    size: file.size,
    direction: opts.direction,
    ...(file.lastModified !== undefined ? { lastModified: file.lastModified } : {}),
  });
  const fileId = info.fileId;
  const chunkBytes = info.chunkBytes;
  const count = Math.ceil(file.size / chunkBytes);
  /** What the server has, as far as this client knows; chunks are prepared to send only the rest. */
  let received = info.receivedBytes;
  // Resuming: the chunks already on the server are read once more, for their digests only.
  const prepare = async (i: number): Promise<Prepared> => {
    const start = i * chunkBytes;
    const bytes = new Uint8Array(await file.slice(start, Math.min(start + chunkBytes, file.size)).arrayBuffer());
    const d = await hash(bytes);
    const from = Math.max(0, Math.min(received - start, bytes.length));
    const send = bytes.subarray(from);
    // Only a server that stopped inside a chunk (another client's chunk size) makes the part sent differ from the chunk.
    const sendSha = from === 0 ? bytesToHex(d) : send.length > 0 ? bytesToHex(await hash(send)) : '';
    return { index: i, digest: d, offset: start + from, send, sendSha };
  };
  const put = (chunk: Prepared): Promise<PutOutcome> =>
    api
      .request<UploadInfo>('PUT', `${base}/${fileId}/content?offset=${chunk.offset}`, chunk.send, {
        'content-type': 'application/octet-stream',
        'x-chunk-sha256': chunk.sendSha,
      })
      .then(
        (ok) => ({ ok }),
        (err: unknown) => ({ error: err instanceof RsError ? err : new RsError('RS_ERR_DISCONNECTED', String(err)) }),
      );

  const digests: Uint8Array[] = [];
  opts.onProgress?.({ sent: received, total: file.size });
  /** The next chunk to prepare, the one read and hashed ahead, and the PUTs on their way, oldest first. */
  let nextIndex = 0;
  let ahead: Promise<Prepared> | null = null;
  const sending: { chunk: Prepared; outcome: Promise<PutOutcome>; failed: boolean }[] = [];
  /** Failures in a row without a chunk stored in between. */
  let attempt = 0;
  const readAhead = () => {
    ahead = nextIndex < count ? prepare(nextIndex++) : null;
    ahead?.catch(() => undefined);
  };
  readAhead();
  try {
    while (ahead || sending.length > 0) {
      // Fill the window: the chunks the server already has only add their digests.
      // Not after a PUT that already failed: the next chunk would only be refused (or wait on the server) too.
      while (ahead && sending.length < inFlight && !sending.some((s) => s.failed)) {
        if (opts.signal?.aborted) throw stopped();
        const chunk: Prepared = await ahead;
        readAhead();
        digests[chunk.index] = chunk.digest;
        if (chunk.send.length > 0) {
          const entry = { chunk, outcome: put(chunk), failed: false };
          void entry.outcome.then((o) => (entry.failed = 'error' in o));
          sending.push(entry);
        }
      }
      const head = sending.shift();
      if (!head) continue;
      const outcome = await head.outcome;
      if ('ok' in outcome) {
        info = outcome.ok;
        received = head.chunk.offset + head.chunk.send.length;
        attempt = 0;
        opts.onProgress?.({ sent: received, total: file.size });
        continue;
      }
      // A chunk failed: the ones after it cannot be stored before it (the server refuses them), so let them
      // settle and go on from the failed one, or from what the server says it has.
      await Promise.all(sending.map((s) => s.outcome));
      sending.length = 0;
      const e = outcome.error;
      if (e.code === 'RS_ERR_CONFLICT' && attempt < retries) {
        // The server is at another offset (a retry whose first try did land, or a chunk that came too early).
        attempt++;
        const status = await api.get<UploadInfo>(`${base}/${fileId}`);
        received = status.receivedBytes;
      } else if (e.code === 'RS_ERR_DISCONNECTED' && attempt < retries) {
        // Stop works while the connection is down too, not only after the last retry.
        if (opts.signal?.aborted) throw stopped();
        attempt++;
        opts.onRetry?.({ attempt, error: e });
        await untilAborted(sleep(Math.min(8000, 250 * 2 ** (attempt - 1))), opts.signal);
        if (opts.signal?.aborted) throw stopped();
        received = head.chunk.offset;
      } else {
        throw e;
      }
      // Read again from the chunk that holds `received` (its digest was right, but its part to send may differ).
      nextIndex = Math.min(count, Math.floor(received / chunkBytes));
      readAhead();
    }
  } finally {
    // A stopped or failed upload has nothing left on its way when this returns (outcomes never reject), so that
    // what the server has is settled: picking the file again resumes from there.
    await Promise.all(sending.map((s) => s.outcome));
  }
  return api.post<UploadInfo>(`${base}/${fileId}/complete`, { chunkListSha256: await chunkListSha256(digests) } satisfies CompleteUploadBody);
}
