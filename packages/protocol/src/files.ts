import { z } from 'zod';
import { Id } from './common.js';

/** Basic file transfer (FT-1): files published to a session, either way. */
export const FileDirection = z.enum(['to_customers', 'to_reps']);
export type FileDirection = z.infer<typeof FileDirection>;

/**
 * Chunks of an upload; each carries its own SHA-256 (`x-chunk-sha256`) so a
 * bad chunk is refused at once. The file's chunks for the chunk-list hash
 * (CompleteUploadBody) are the pieces of this size from byte 0, the last one
 * shorter, whatever sizes the PUT requests had. A client may keep two PUTs
 * on their way: one for a later offset than the server has waits for the
 * PUT before it (while that one is under way, or up to a short grace period
 * for it to arrive) instead of being refused; a 409 (RS_ERR_CONFLICT) says
 * where the upload continues.
 */
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');

export const CreateUploadBody = z.object({
  name: z.string().min(1).max(1000),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Who receives it; customers can only send to reps. */
  direction: FileDirection,
  /** Lets a reloaded page find its unfinished upload of the same file again. */
  lastModified: z.number().int().min(0).optional(),
});

export const UploadInfo = z.object({
  fileId: Id,
  name: z.string(),
  size: z.number().int(),
  receivedBytes: z.number().int(),
  chunkBytes: z.number().int(),
  state: z.enum(['uploading', 'ready', 'refused', 'cancelled']),
  message: z.string().optional(),
  /** Once ready: the SHA-256 of the whole file as the server stored it (also in the session's file list), for downloaders to check. */
  sha256: Sha256Hex.optional(),
});
export type UploadInfo = z.infer<typeof UploadInfo>;

/**
 * Finishing an upload. `chunkListSha256` is the "chunk-list hash": the
 * SHA-256 over the concatenation of the raw 32-byte SHA-256 digests of the
 * file's chunks, in order — chunk i being bytes [i·C, min((i+1)·C, size))
 * with C = UPLOAD_CHUNK_BYTES (4 MiB, `chunkBytes` of UploadInfo); an empty
 * file has no chunks, so its chunk-list hash is the SHA-256 of nothing.
 * The client gets each chunk's digest from Web Crypto anyway (for
 * `x-chunk-sha256`), which cannot hash incrementally; the server recomputes
 * the same over what it stored, refuses the file on a mismatch, and computes
 * the whole file's ordinary SHA-256 itself (UploadInfo.sha256, `file.published`).
 */
export const CompleteUploadBody = z.object({ chunkListSha256: Sha256Hex });
export type CompleteUploadBody = z.infer<typeof CompleteUploadBody>;

export const DownloadLink = z.object({ url: z.string(), expiresAt: z.string() });
export type DownloadLink = z.infer<typeof DownloadLink>;

export const FileRemovedReason = z.enum(['retention', 'session_ended', 'removed_by_rep']);

export const FilePolicy = z.object({
  customerUploads: z.boolean(),
  maxFileMegabytes: z.number().int(),
  maxSessionMegabytes: z.number().int(),
});
export type FilePolicy = z.infer<typeof FilePolicy>;
