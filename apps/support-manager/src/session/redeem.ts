/**
 * Redeeming a pairing URL (`support-manager://pair?server=…&code=…`): one
 * POST /api/pairings/redeem gives the session ticket of this device.
 */
import { RedeemedPairing, parsePairingUrl } from '@rs/protocol';

export class PairingError extends Error {
  constructor(
    message: string,
    /** The server's error code (RS_ERR_…) or 'invalid-url' / 'network'. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'PairingError';
  }
}

export interface Redeemed extends RedeemedPairing {
  server: string;
}

export async function redeemPairing(url: string, deviceName: string, fetchImpl: typeof fetch = fetch): Promise<Redeemed> {
  const parsed = parsePairingUrl(url);
  if (!parsed) throw new PairingError('This is not a Support Manager pairing link (support-manager://pair?server=…&code=…).', 'invalid-url');
  let res: Response;
  try {
    res = await fetchImpl(`${parsed.server}/api/pairings/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-name': deviceName.replace(/[^\x20-\x7e]/g, '?').slice(0, 100) },
      body: JSON.stringify({ code: parsed.code }),
    });
  } catch (e) {
    throw new PairingError(`Cannot reach ${parsed.server}: ${(e as Error).message}`, 'network');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new PairingError(err?.message ?? `The server refused the pairing (HTTP ${res.status}).`, err?.code ?? `http-${res.status}`);
  }
  const ok = RedeemedPairing.safeParse(body);
  if (!ok.success) throw new PairingError('The server answered the pairing with something unexpected.', 'bad-answer');
  return { ...ok.data, server: parsed.server };
}
