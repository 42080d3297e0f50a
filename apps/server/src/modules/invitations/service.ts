import { RsError, type InvitationInfo, type InviteResult, type Language, type SessionTicket, type User } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import { newId, nowIso, sha256 } from '../../ids.js';
import type { Mailer } from '../mail/mailer.js';
import type { SessionService } from '../sessions/service.js';
import { INVITATION_TEMPLATES } from './templates.js';

const VALID_HOURS = 24;

/** INV-1, INV-2, INV-5: invitations by e-mail, each with its own link. */
export class InvitationService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly mailer: Mailer,
    private readonly publicUrl: string,
  ) {}

  async invite(
    sessionId: string,
    user: User,
    input: { invitee: 'customer' | 'rep'; email: string; ownMailProgram: boolean; language?: Language | undefined },
  ): Promise<InviteResult> {
    const view = await this.sessions.engine.view(sessionId);
    if (!view) throw RsError.notFound('There is no such session.');
    if (view.status.state === 'ended') throw RsError.sessionEnded();
    const me = Object.values(view.participants).find((p) => p.userId === user.id && p.status === 'admitted');
    if (!me) throw RsError.forbidden('You are not in this session.');
    if (view.primaryId !== me.id) throw RsError.forbidden('Only the rep in control of the session can invite.');

    const token = newId(24);
    const now = Date.now();
    await this.db
      .insertInto('invitations')
      .values({
        token_hash: sha256(token),
        session_id: sessionId,
        invitee: input.invitee,
        email: input.email,
        created_by: user.id,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + VALID_HOURS * 3_600_000).toISOString(),
      })
      .execute();
    const link = `${this.publicUrl}/invite/${token}`;
    const t = INVITATION_TEMPLATES[input.language ?? 'en'];
    const params = { rep: user.name, link, number: view.number, site: this.publicUrl };
    const subject = t.subject;
    const body = input.invitee === 'customer' ? t.customer(params) : t.rep(params);
    const via = input.ownMailProgram ? 'mail_program' : await this.mailer.send({ to: input.email, subject, text: body });
    await this.sessions.engine.transact(sessionId, () => [
      { type: 'invitation.sent', by: me.id, invitee: input.invitee, email: input.email, via },
    ]);
    return {
      via,
      link,
      subject,
      body,
      ...(via === 'mail_program'
        ? { mailto: `mailto:${encodeURIComponent(input.email)}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}` }
        : {}),
    };
  }

  private async find(token: string) {
    const row = await this.db.selectFrom('invitations').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!row || row.expires_at < nowIso()) throw RsError.notFound('This invitation link is not valid or has expired. Ask the rep for a new one.');
    return row;
  }

  async info(token: string): Promise<InvitationInfo> {
    const row = await this.find(token);
    const view = await this.sessions.engine.view(row.session_id);
    if (!view) throw RsError.notFound('This invitation link is not valid.');
    const inviter = await this.db.selectFrom('users').select('name').where('id', '=', row.created_by).executeTakeFirst();
    return {
      invitee: row.invitee === 'rep' ? 'rep' : 'customer',
      sessionId: row.session_id,
      number: view.number,
      invitedBy: inviter?.name ?? '',
      open: view.status.state === 'open',
    };
  }

  async accept(token: string, input: { name: string; email?: string | undefined }, user: User | null): Promise<SessionTicket> {
    const row = await this.find(token);
    if (row.invitee === 'rep') {
      if (!user) throw RsError.unauthenticated('Sign in to join the session as an assistant.');
      if (!user.roles.rep) throw RsError.forbidden('Only a support representative can assist a session.');
      return (await this.sessions.joinAsRep(row.session_id, user)).ticket;
    }
    return this.sessions.joinInvitedCustomer(row.session_id, { name: input.name, email: input.email ?? row.email });
  }
}
