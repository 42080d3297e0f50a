import { z } from 'zod';
import { Sha256Hex } from './files.js';

/**
 * FT-2: the folder protocol between the rep's page and the customer's page,
 * over a WebRTC data channel (or relayed through the server). The other end
 * is untrusted: every message is parsed with these schemas.
 */

/** One name in a path: never ".", "..", a separator or a control character. */
export const PathSegment = z
  .string()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex
  .regex(/^(?!\.{1,2}$)[^/\\\u0000-\u001f\u007f]+$/, 'not an allowed name');
export const FolderPath = z.array(PathSegment).max(32);

/** Chunks are at most 64 KiB on a data channel (FT-2). */
export const FOLDER_CHUNK_BYTES = 64 * 1024;
/** Through the server the chunk goes base64 inside a signal frame, which must stay under the 64 KiB frame limit. */
export const RELAY_CHUNK_BYTES = 32 * 1024;

const TransferId = z.number().int().min(1).max(2 ** 31);

/**
 * The largest text message either transport carries: the relay's limit for
 * a signal's `data` (SignalPayload). On a data channel, where the SCTP
 * message limit (256 KiB in Chromium) would allow more, a larger text frame
 * is dropped unparsed just the same.
 */
export const FOLDER_TEXT_MAX_CHARS = 60_000;

/**
 * Folder listings go in pages (`entries` with `page` 0, 1, 2, … and `more`
 * on all but the last): at most FOLDER_PAGE_ENTRIES entries, and the host
 * starts a new page before the entries' JSON passes FOLDER_PAGE_BYTES
 * (UTF-8). That keeps every page well under the relay's limits even with
 * each quote escaped once more in the signal frame (≤ 2 × 24 KiB + the
 * frame's fields < LIMITS.frameBytes), and far under a data channel's.
 */
export const FOLDER_PAGE_ENTRIES = 500;
export const FOLDER_PAGE_BYTES = 24 * 1024;
/** Pages the host sends before the rep acknowledges them (`ack` with `received` = pages received). */
export const FOLDER_PAGE_WINDOW = 4;
/** A folder with more entries is not listed (the host answers with an error, the rep stops assembling there). */
export const FOLDER_LIST_MAX_ENTRIES = 100_000;

export const FolderEntry = z.object({
  name: z.string().max(255),
  kind: z.enum(['file', 'directory']),
  size: z.number().int().min(0).optional(),
  modified: z.number().int().min(0).optional(),
});
export type FolderEntry = z.infer<typeof FolderEntry>;

export const FolderMessage = z.discriminatedUnion('op', [
  z.object({ op: z.literal('list'), id: TransferId, path: FolderPath }),
  /** One page of a listing (see FOLDER_PAGE_ENTRIES); the rep acknowledges pages with `ack` (`received` = pages so far). */
  z.object({
    op: z.literal('entries'),
    id: TransferId,
    folder: z.string().max(255),
    page: z.number().int().min(0).max(FOLDER_LIST_MAX_ENTRIES),
    more: z.boolean(),
    entries: z.array(FolderEntry).max(FOLDER_PAGE_ENTRIES),
  }),
  z.object({ op: z.literal('read'), id: TransferId, path: FolderPath.min(1) }),
  z.object({ op: z.literal('write'), id: TransferId, path: FolderPath, name: PathSegment, size: z.number().int().min(0) }),
  z.object({ op: z.literal('accept'), id: TransferId }),
  z.object({ op: z.literal('begin'), id: TransferId, name: z.string().max(255), size: z.number().int().min(0) }),
  /** Relay only: on a data channel chunks are binary frames (4-byte id + bytes). */
  z.object({ op: z.literal('chunk'), id: TransferId, b64: z.string().max(RELAY_CHUNK_BYTES * 2) }),
  z.object({ op: z.literal('ack'), id: TransferId, received: z.number().int().min(0) }),
  z.object({ op: z.literal('end'), id: TransferId, sha256: Sha256Hex }),
  z.object({ op: z.literal('done'), id: TransferId }),
  z.object({ op: z.literal('error'), id: TransferId, message: z.string().max(500) }),
  z.object({ op: z.literal('cancel'), id: TransferId }),
]);
export type FolderMessage = z.infer<typeof FolderMessage>;
