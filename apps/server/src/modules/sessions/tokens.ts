import crypto from 'node:crypto';

/**
 * A participant's credential for the session socket: its id and an HMAC of
 * session and participant under a site secret. Nothing to store, and every
 * node with the secret (kept in the database) can check it.
 */
export class ParticipantTokens {
  constructor(private readonly secret: Buffer) {}

  issue(sessionId: string, participantId: string): string {
    return `${participantId}.${this.mac(sessionId, participantId)}`;
  }

  verify(sessionId: string, token: string): string | null {
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const participantId = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(sessionId, participantId));
    return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? participantId : null;
  }

  private mac(sessionId: string, participantId: string): string {
    return crypto.createHmac('sha256', this.secret).update(`${sessionId}:${participantId}`).digest('base64url');
  }
}
