import crypto from 'node:crypto';
import { RsError, throughDevice, type Pairing, type RedeemedPairing } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import { newId } from '../../ids.js';
import { decideDeviceAttach } from '../sessions/media-rules.js';
import type { SessionService } from '../sessions/service.js';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Support Manager pairing (DSK-2, APP-2, FT-2, M14). The customer who accepted
 * control, or folder access through Support Manager, gets a one-time URL for that activity; redeeming it before it
 * expires makes Support Manager a device participant attached to it.
 */
export class PairingService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly opts: { publicUrl: string; ttlMs: number; clock?: () => number },
  ) {}

  private now(): number {
    return (this.opts.clock ?? Date.now)();
  }

  async create(sessionId: string, participantId: string, activityId: string): Promise<Pairing> {
    const view = await this.sessions.engine.view(sessionId);
    const a = view?.activities[activityId];
    if (!view || !a || a.state !== 'active' || !throughDevice(a)) throw RsError.invalidState('There is no remote control or folder access running to connect Support Manager to.');
    if (a.sharer !== participantId) throw RsError.forbidden('Only the customer who accepted can connect Support Manager.');
    if (a.deviceId !== undefined) throw RsError.invalidState('Support Manager is connected already.');
    const code = crypto.randomBytes(32).toString('base64url');
    const at = this.now();
    const expiresAt = new Date(at + this.opts.ttlMs).toISOString();
    await this.db
      .insertInto('device_pairings')
      .values({ code_hash: sha256(code), session_id: sessionId, participant_id: participantId, activity_id: activityId, created_at: new Date(at).toISOString(), expires_at: expiresAt, redeemed_at: null })
      .execute();
    const url = `support-manager://pair?server=${encodeURIComponent(this.opts.publicUrl)}&code=${code}`;
    return { url, expiresAt };
  }

  async redeem(code: string, hostName: string): Promise<RedeemedPairing> {
    const hash = sha256(code);
    const nowIso = new Date(this.now()).toISOString();
    // Once: the first redeemer wins the conditional update; a second gets nothing.
    const taken = await this.db
      .updateTable('device_pairings')
      .set({ redeemed_at: nowIso })
      .where('code_hash', '=', hash)
      .where('redeemed_at', 'is', null)
      .where('expires_at', '>', nowIso)
      .executeTakeFirst();
    const row = await this.db.selectFrom('device_pairings').selectAll().where('code_hash', '=', hash).executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      if (!row) throw RsError.notFound('This Support Manager link is not valid.');
      if (row.redeemed_at !== null) throw RsError.invalidState('This Support Manager link was used already. Ask for a new one on the support page.');
      throw RsError.invalidState('This Support Manager link has expired. Ask for a new one on the support page.');
    }
    if (!row) throw RsError.notFound('This Support Manager link is not valid.');
    const deviceId = newId(9);
    const { view } = await this.sessions.engine.transact(row.session_id, (v) => {
      const customer = v.participants[row.participant_id];
      const name = `Support Manager${hostName ? ` (${hostName})` : ''}${customer ? ` – ${customer.name}` : ''}`.slice(0, 100);
      return decideDeviceAttach(v, { activityId: row.activity_id, customerId: row.participant_id, device: { id: deviceId, name } });
    });
    const kind = view.activities[row.activity_id]?.kind;
    if (!kind) throw new RsError('RS_ERR_INTERNAL', 'The activity vanished.');
    return { ticket: this.sessions.ticket(row.session_id, view.number, deviceId), activityId: row.activity_id, kind };
  }
}
