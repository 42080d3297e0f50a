import { RsError, type SessionSummary, type SessionTicket, type SessionView, type User } from '@rs/protocol';
import { RateLimiter } from '../../http/rate-limit.js';
import { newId } from '../../ids.js';
import type { SessionEngine } from './engine.js';
import type { SessionStore } from './store.js';
import type { ParticipantTokens } from './tokens.js';

/** Starting, assisting and joining: the ways into a session besides invitations. */
export class SessionService {
  private readonly joinLimiter: RateLimiter;

  constructor(
    readonly engine: SessionEngine,
    readonly store: SessionStore,
    readonly tokens: ParticipantTokens,
    private readonly publicUrl: string,
    joinPerMinute: number,
  ) {
    this.joinLimiter = new RateLimiter(joinPerMinute, 60_000);
  }

  summary(sessionId: string, number: string): SessionSummary {
    return { sessionId, number, joinUrl: `${this.publicUrl}/join?number=${number}`, siteUrl: this.publicUrl };
  }

  ticket(sessionId: string, number: string, participantId: string): SessionTicket {
    return { sessionId, number, participantId, token: this.tokens.issue(sessionId, participantId) };
  }

  async start(user: User): Promise<SessionSummary & { ticket: SessionTicket }> {
    if (!user.roles.rep) throw RsError.forbidden('Only a support representative can start a session.');
    const { sessionId, number, primaryId } = await this.engine.create({ kind: 'rep', name: user.name, email: user.email, userId: user.id });
    return { ...this.summary(sessionId, number), ticket: this.ticket(sessionId, number, primaryId) };
  }

  /** The ticket of a rep who is (or was) in the session; for a reloaded console. */
  async repTicket(sessionId: string, user: User): Promise<SessionSummary & { ticket: SessionTicket; role: string }> {
    const view = await this.engine.view(sessionId);
    if (!view) throw RsError.notFound('There is no such session.');
    const mine = Object.values(view.participants).find((p) => p.userId === user.id && p.status === 'admitted');
    if (!mine) throw RsError.forbidden('You are not in this session.');
    if (view.status.state === 'ended') throw RsError.sessionEnded();
    return { ...this.summary(sessionId, view.number), ticket: this.ticket(sessionId, view.number, mine.id), role: mine.role };
  }

  async openByNumber(number: string): Promise<{ sessionId: string; view: SessionView }> {
    const row = await this.store.openByNumber(number);
    if (!row) {
      const last = await this.store.lastByNumber(number);
      throw last ? RsError.sessionEnded() : RsError.notFound('There is no open session with this number. Check the number and try again.');
    }
    const view = await this.engine.view(row.id);
    if (!view) throw RsError.notFound('There is no open session with this number.');
    return { sessionId: row.id, view };
  }

  /** AST-1: a rep joins by number as an assistant without control. */
  async assist(number: string, user: User): Promise<SessionSummary & { ticket: SessionTicket }> {
    if (!user.roles.rep) throw RsError.forbidden('Only a support representative can assist a session.');
    const { sessionId } = await this.openByNumber(number);
    return this.joinAsRep(sessionId, user);
  }

  async joinAsRep(sessionId: string, user: User): Promise<SessionSummary & { ticket: SessionTicket }> {
    const participantId = newId(9);
    const { view } = await this.engine.transact(sessionId, (v) => {
      if (v.status.state === 'ended') throw RsError.sessionEnded();
      // Already in it (a second tab, a former primary coming back): same participant.
      if (Object.values(v.participants).some((p) => p.userId === user.id && p.status === 'admitted')) return [];
      return [
        {
          type: 'participant.joined',
          participant: { id: participantId, kind: 'rep', role: 'assistant', name: user.name, email: user.email, userId: user.id },
        },
      ];
    });
    const mine = Object.values(view.participants).find((p) => p.userId === user.id && p.status === 'admitted');
    if (!mine) throw new RsError('RS_ERR_INTERNAL', 'Joining the session failed.');
    return { ...this.summary(sessionId, view.number), ticket: this.ticket(sessionId, view.number, mine.id) };
  }

  /** CUS-1 / INV-4: a customer joins by number and waits to be admitted. */
  async joinByNumber(input: { number: string; name: string; email?: string | undefined }, address: string): Promise<SessionTicket> {
    const wait = this.joinLimiter.hit(address);
    if (wait > 0) throw RsError.rateLimited(wait);
    const { sessionId, view } = await this.openByNumber(input.number);
    const participantId = newId(9);
    await this.engine.transact(sessionId, (v) => {
      if (v.status.state === 'ended') throw RsError.sessionEnded();
      return [
        {
          type: 'participant.waiting',
          participant: { id: participantId, kind: 'customer', role: 'customer', name: input.name, ...(input.email ? { email: input.email } : {}) },
        },
      ];
    });
    return this.ticket(sessionId, view.number, participantId);
  }

  /** An invited customer is admitted at once. */
  async joinInvitedCustomer(sessionId: string, input: { name: string; email?: string | undefined }): Promise<SessionTicket> {
    const participantId = newId(9);
    const { view } = await this.engine.transact(sessionId, (v) => {
      if (v.status.state === 'ended') throw RsError.sessionEnded();
      return [
        {
          type: 'participant.joined',
          participant: { id: participantId, kind: 'customer', role: 'customer', name: input.name, ...(input.email ? { email: input.email } : {}) },
        },
      ];
    });
    return this.ticket(sessionId, view.number, participantId);
  }
}
