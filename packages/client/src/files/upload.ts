import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { RsError, type FileDirection, type UploadInfo } from '@rs/protocol';
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

/** SHA-256 of a chunk: native Web Crypto where there is one (browsers in a secure context, Node), else the JS fallback. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return bytesToHex(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
  return bytesToHex(sha256(bytes));
}

/**
 * FT-1 upload: chunks with their own SHA-256, resumed from what the server
 * has (after a dropped connection, or a reload when the same file is picked
 * again), then the SHA-256 of the whole file, computed on the way, is
 * checked by the server before the file is offered.
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
  const whole = sha256.create();
  // Resuming: the part already on the server is read once more for the whole-file hash.
  for (let pos = 0; pos < info.receivedBytes; pos += info.chunkBytes) {
    whole.update(new Uint8Array(await file.slice(pos, Math.min(pos + info.chunkBytes, info.receivedBytes)).arrayBuffer()));
  }
  let offset = info.receivedBytes;
  opts.onProgress?.({ sent: offset, total: file.size });
  while (offset < file.size) {
    if (opts.signal?.aborted) throw stopped();
    const chunk = new Uint8Array(await file.slice(offset, Math.min(offset + info.chunkBytes, file.size)).arrayBuffer());
    const chunkSha = await sha256Hex(chunk);
    let hashed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const put = api.request<UploadInfo>('PUT', `${base}/${info.fileId}/content?offset=${offset}`, chunk, {
          'content-type': 'application/octet-stream',
          'x-chunk-sha256': chunkSha,
        });
        // The whole-file hash (JS, the slow part) runs while the chunk travels; once per chunk, whatever the retries.
        if (!hashed) {
          whole.update(chunk);
          hashed = true;
        }
        info = await put;
        break;
      } catch (err) {
        const e = err instanceof RsError ? err : new RsError('RS_ERR_DISCONNECTED', String(err));
        if (e.code === 'RS_ERR_CONFLICT') {
          // The server has a different offset (a retry whose first try did land): ask and go on from there.
          const status = await api.get<UploadInfo>(`${base}/${info.fileId}`);
          if (status.receivedBytes !== offset + chunk.length) throw e;
          info = status;
          break;
        }
        if (e.code !== 'RS_ERR_DISCONNECTED' || attempt >= (opts.retries ?? 8)) throw e;
        // Stop works while the connection is down too, not only after the last retry.
        if (opts.signal?.aborted) throw stopped();
        opts.onRetry?.({ attempt: attempt + 1, error: e });
        await untilAborted(sleep(Math.min(8000, 250 * 2 ** attempt)), opts.signal);
        if (opts.signal?.aborted) throw stopped();
      }
    }
    offset += chunk.length;
    opts.onProgress?.({ sent: offset, total: file.size });
  }
  return api.post<UploadInfo>(`${base}/${info.fileId}/complete`, { sha256: bytesToHex(whole.digest()) });
}
