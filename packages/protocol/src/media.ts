import { z } from 'zod';

/**
 * Live media activities (issue: live media). The server never sees media;
 * it keeps who shares what with whose consent, and relays WebRTC signaling.
 */

/** Asking the other side first: view their screen/app (DSK-1, APP-1) or show yours (DSK-3, APP-3). */
export const ConsentKind = z.enum(['desktop.view', 'desktop.share', 'app.view', 'app.share', 'folder.access', 'desktop.control', 'app.control']);
export type ConsentKind = z.infer<typeof ConsentKind>;

export const ActivityKind = z.enum(['video', 'voice', 'desktop.view', 'desktop.share', 'app.view', 'app.share', 'folder', 'desktop.control', 'app.control']);
export type ActivityKind = z.infer<typeof ActivityKind>;

/** Screen-like activities: every participant can view them (S-3). */
export const SHARING_KINDS: ReadonlySet<ActivityKind> = new Set(['desktop.view', 'desktop.share', 'app.view', 'app.share']);

/**
 * Remote control through Support Manager (DSK-2, APP-2): the customer's
 * device sends the screen and takes the rep's input. Kept apart from
 * SHARING_KINDS because no browser captures anything for them.
 */
export const CONTROL_KINDS: ReadonlySet<ActivityKind> = new Set(['desktop.control', 'app.control']);

/** Screen-like activities of any kind: one at a time per session. */
export const SCREEN_KINDS: ReadonlySet<ActivityKind> = new Set([...SHARING_KINDS, ...CONTROL_KINDS]);

/** What ends when control is transferred or another customer is selected (S-3, SES-3): sharing, remote control and folder access (FT-2). */
export const ENDS_ON_SWITCH: ReadonlySet<ActivityKind> = new Set([...SCREEN_KINDS, 'folder']);

/** In "view" kinds and folder access the customer shares; in "share" kinds the rep does. */
export function customerShares(kind: ConsentKind): boolean {
  return kind === 'desktop.view' || kind === 'app.view' || kind === 'folder.access' || kind === 'desktop.control' || kind === 'app.control';
}

/**
 * Who carries a folder access (FT-2) on the customer's side: their browser
 * (the File System Access API, the default) or the Support Manager program
 * (`support-manager`), which the customer starts by a pairing link. The rep
 * chooses when asking; remote control always goes through Support Manager.
 */
export const ConsentVia = z.enum(['support-manager']);
export type ConsentVia = z.infer<typeof ConsentVia>;

/** The activity an accepted consent starts. */
export function activityKindOf(kind: ConsentKind): ActivityKind {
  return kind === 'folder.access' ? 'folder' : kind;
}

export const DisplayMode = z.enum(['standard', 'sampling']);
export type DisplayMode = z.infer<typeof DisplayMode>;

/**
 * SES-1 encoder settings per display mode, applied by the sharer to the
 * running sender (no renegotiation). Documented in docs/media.md.
 */
export const DISPLAY_MODES: Record<
  DisplayMode,
  { maxBitrate: number; maxFramerate: number; scaleResolutionDownBy: number; contentHint: 'detail' | 'motion'; degradationPreference: 'maintain-resolution' | 'maintain-framerate' }
> = {
  standard: { maxBitrate: 2_500_000, maxFramerate: 15, scaleResolutionDownBy: 1, contentHint: 'detail', degradationPreference: 'maintain-resolution' },
  sampling: { maxBitrate: 800_000, maxFramerate: 30, scaleResolutionDownBy: 2, contentHint: 'motion', degradationPreference: 'maintain-framerate' },
};

/** A consent request expires after this long without an answer (CUS-2). */
export const CONSENT_TTL_MS = 60_000;

export const ActivityStopReason = z.enum([
  'stopped',
  'customer_switched',
  'control_transferred',
  'sharer_left',
  'sharer_reloaded',
]);
export type ActivityStopReason = z.infer<typeof ActivityStopReason>;

export const ConsentCloseReason = z.enum(['expired', 'cancelled', 'control_transferred', 'customer_switched', 'participant_left']);
export type ConsentCloseReason = z.infer<typeof ConsentCloseReason>;

/** WebRTC signaling payloads, relayed between two participants of one activity. */
export const SignalPayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offer'), sdp: z.string().max(60_000) }),
  z.object({ kind: z.literal('answer'), sdp: z.string().max(60_000) }),
  z.object({
    kind: z.literal('candidate'),
    candidate: z.object({
      candidate: z.string().max(2000),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
  /** A viewer asks the sender for a (new) offer: after joining late, a reload or a failed connection. */
  z.object({ kind: z.literal('want') }),
  /** FT-2 fallback when no peer path exists: a folder-protocol message relayed through the server. */
  z.object({ kind: z.literal('relay'), data: z.string().max(60_000) }),
  z.object({ kind: z.literal('bye') }),
]);
export type SignalPayload = z.infer<typeof SignalPayload>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** How long a Support Manager pairing URL can be redeemed (once). */
export const PAIRING_TTL_MS = 2 * 60_000;

