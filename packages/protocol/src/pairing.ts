import { z } from 'zod';
import { Id } from './common.js';
import { ActivityKind } from './media.js';
import { SessionTicket } from './rest.js';

/**
 * Support Manager pairing (DSK-2, APP-2, FT-2): the customer's page gets a
 * one-time, short-lived URL for the activity it accepted that Support
 * Manager carries (remote control, or folder access through Support
 * Manager); Support Manager redeems it and joins the session as the
 * customer's device.
 */
export const CreatePairingBody = z.object({ activityId: Id });
export const Pairing = z.object({
  /** `support-manager://pair?server=…&code=…`: what the "Open Support Manager" link opens. */
  url: z.string(),
  expiresAt: z.string(),
});
export type Pairing = z.infer<typeof Pairing>;

export const PAIRING_SCHEME = 'support-manager:';

export const RedeemPairingBody = z.object({ code: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a pairing code') });
export const RedeemedPairing = z.object({
  ticket: SessionTicket,
  activityId: Id,
  kind: ActivityKind,
});
export type RedeemedPairing = z.infer<typeof RedeemedPairing>;

/** Reads a pairing URL; null when it is not one. */
export function parsePairingUrl(url: string): { server: string; code: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== PAIRING_SCHEME) return null;
  const server = u.searchParams.get('server');
  const code = u.searchParams.get('code');
  if (!server || !code || !RedeemPairingBody.shape.code.safeParse(code).success) return null;
  try {
    const s = new URL(server);
    if (s.protocol !== 'http:' && s.protocol !== 'https:') return null;
    return { server: s.origin, code };
  } catch {
    return null;
  }
}
