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
  /** Retries of one chunk after a dropped connection before giving up. */
  retries?: number;
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
  digest: Uint8Array;
  /** What the server does not have yet (empty when it has the whole chunk: a resumed upload). */
  send: Uint8Array;
  sendSha: string;
}

/**
 * FT-1 upload: the file goes in chunks of `chunkBytes` (4 MiB), each with
 * its SHA-256 (Web Crypto, native), resumed from what the server has (after
 * a dropped connection, or a reload when the same file is picked again);
 * then `complete` with the chunk-list hash (the SHA-256 over the chunks'
 * digests), which the server checks against what it stored before the file
 * is offered. The next chunk is read and hashed while the current one is on
 * its way; no hashing of the whole file in JavaScript.
 */
export async function uploadFile(opts: UploadOptions): Promise<UploadInfo> {
  const { api, sessionId, file } = opts;
  const sleep = opts.sleep ?? defaultSleep;
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/files`;
  let info = await api.post<UploadInfo>(base, {
    name: file.name,
    size: file.size,
    direction: opts.direction,
    ...(file.lastModified !== undefined ? { lastModified: file.lastModified } : {}),
  });
  const chunkBytes = info.chunkBytes;
  const received = info.receivedBytes;
  const count = Math.ceil(file.size / chunkBytes);
  // Resuming: the chunks already on the server are read once more, for their digests only.
  const prepare = async (i: number): Promise<Prepared> => {
    const start = i * chunkBytes;
    const bytes = new Uint8Array(await file.slice(start, Math.min(start + chunkBytes, file.size)).arrayBuffer());
    const d = await digest(bytes);
    const from = Math.max(0, Math.min(received - start, bytes.length));
    const send = bytes.subarray(from);
    // Only a server that stopped inside a chunk (another client's chunk size) makes the part sent differ from the chunk.
    const sendSha = from === 0 ? bytesToHex(d) : send.length > 0 ? bytesToHex(await digest(send)) : '';
    return { digest: d, send, sendSha };
  };
  const digests: Uint8Array[] = [];
  let offset = received;
  opts.onProgress?.({ sent: offset, total: file.size });
  let next: Promise<Prepared> | null = count > 0 ? prepare(0) : null;
  try {
    for (let i = 0; i < count; i++) {
      if (opts.signal?.aborted) throw stopped();
      const chunk = await next!;
      // Reading and hashing the next chunk overlaps with sending this one.
      next = i + 1 < count ? prepare(i + 1) : null;
      next?.catch(() => undefined);
      digests.push(chunk.digest);
      if (chunk.send.length === 0) continue;
      info = await sendChunk(chunk.send, chunk.sendSha);
      offset += chunk.send.length;
      opts.onProgress?.({ sent: offset, total: file.size });
    }
  } finally {
    next?.catch(() => undefined);
  }
  return api.post<UploadInfo>(`${base}/${info.fileId}/complete`, { chunkListSha256: await chunkListSha256(digests) } satisfies CompleteUploadBody);

  /** PUTs one chunk at `offset`, retrying after a dropped connection; the server's answer. */
  async function sendChunk(chunk: Uint8Array, sha: string): Promise<UploadInfo> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await api.request<UploadInfo>('PUT', `${base}/${info.fileId}/content?offset=${offset}`, chunk, {
          'content-type': 'application/octet-stream',
          'x-chunk-sha256': sha,
        });
      } catch (err) {
        const e = err instanceof RsError ? err : new RsError('RS_ERR_DISCONNECTED', String(err));
        if (e.code === 'RS_ERR_CONFLICT') {
          // The server has a different offset (a retry whose first try did land): ask and go on from there.
          const status = await api.get<UploadInfo>(`${base}/${info.fileId}`);
          if (status.receivedBytes !== offset + chunk.length) throw e;
          return status;
        }
        if (e.code !== 'RS_ERR_DISCONNECTED' || attempt >= (opts.retries ?? 8)) throw e;
        // Stop works while the connection is down too, not only after the last retry.
        if (opts.signal?.aborted) throw stopped();
        opts.onRetry?.({ attempt: attempt + 1, error: e });
        await untilAborted(sleep(Math.min(8000, 250 * 2 ** attempt)), opts.signal);
        if (opts.signal?.aborted) throw stopped();
      }
    }
  }
}
