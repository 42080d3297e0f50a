import type { FastifyRequest } from 'fastify';
import { RsError, type User } from '@rs/protocol';
import type { SessionEngine } from '../sessions/engine.js';
import type { ParticipantTokens } from '../sessions/tokens.js';
import type { Actor } from './service.js';

export const PARTICIPANT_HEADER = 'x-participant-token';

/**
 * Who is calling a session's REST route: a customer by their participant
 * token (header), or a signed-in rep by cookie. Only admitted participants
 * of an open session pass.
 */
export async function participantOf(
  engine: SessionEngine,
  tokens: ParticipantTokens,
  sessionId: string,
  req: FastifyRequest,
  user: User | null,
): Promise<Actor & { isPrimary: boolean }> {
  const view = await engine.view(sessionId);
  if (!view) throw RsError.notFound('There is no such session.');
  const header = req.headers[PARTICIPANT_HEADER];
  let participantId: string | null = null;
  if (typeof header === 'string') participantId = tokens.verify(sessionId, header);
  else if (user) participantId = Object.values(view.participants).find((p) => p.userId === user.id && p.status === 'admitted')?.id ?? null;
  if (!participantId) throw RsError.unauthenticated('This needs a participant of the session.');
  const p = view.participants[participantId];
  if (!p || p.status !== 'admitted') throw RsError.forbidden('You are not in this session.');
  if (view.status.state === 'ended') throw RsError.sessionEnded();
  // Support Manager moves files through its own folder access, not the session's published files.
  if (p.kind === 'device') throw RsError.forbidden('Devices do not publish or download session files.');
  return { participantId, kind: p.kind, isPrimary: view.primaryId === participantId };
}
