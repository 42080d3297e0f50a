import { z } from 'zod';
import { Id } from './common.js';

/** Basic file transfer (FT-1): files published to a session, either way. */
export const FileDirection = z.enum(['to_customers', 'to_reps']);
export type FileDirection = z.infer<typeof FileDirection>;

/** Chunks of an upload; each carries its own SHA-256 so a bad chunk is refused at once. */
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
});
export type UploadInfo = z.infer<typeof UploadInfo>;

export const CompleteUploadBody = z.object({ sha256: Sha256Hex });

export const DownloadLink = z.object({ url: z.string(), expiresAt: z.string() });
export type DownloadLink = z.infer<typeof DownloadLink>;

export const FileRemovedReason = z.enum(['retention', 'session_ended', 'removed_by_rep']);

export const FilePolicy = z.object({
  customerUploads: z.boolean(),
  maxFileMegabytes: z.number().int(),
  maxSessionMegabytes: z.number().int(),
});
export type FilePolicy = z.infer<typeof FilePolicy>;
