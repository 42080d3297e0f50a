import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AcdHello, RsError, type AcdServerMessage } from '@rs/protocol';
import { acdChannel, type Bus } from '../../bus/bus.js';
import type { AuthService } from '../auth/service.js';
import type { AcdService } from './service.js';

const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 25_000;
/** Snapshots are coalesced: a burst of changes costs one read per socket. */
const COALESCE_MS = 100;
/** A queue's line read once for every waiting socket of this node within this window. */
const LINE_CACHE_MS = 250;

/**
 * `/ws/acd`: live snapshots for agents (offers, load, queues) and for people
 * waiting (position, estimate, then the ticket into their session). The
 * socket only listens; every action is a REST call.
 */
export function registerAcdGateway(app: FastifyInstance, deps: { acd: AcdService; bus: Bus; auth: AuthService }): void {
  const lines = new Map<string, { at: number; ids: Promise<string[]> }>();
  const lineOf = (queueId: string): Promise<string[]> => {
    const cached = lines.get(queueId);
    if (cached && Date.now() - cached.at < LINE_CACHE_MS) return cached.ids;
    const ids = deps.acd.store.lineOf(queueId);
    lines.set(queueId, { at: Date.now(), ids });
    ids.catch(() => lines.delete(queueId));
    return ids;
  };
  /** Waiting sockets per request on this node: the place is "unwatched" only when the last one closes. */
  const watchers = new Map<string, number>();

  app.get('/ws/acd', { websocket: true }, (socket: WebSocket, req: FastifyRequest) => {
    const unsubscribers: (() => Promise<void>)[] = [];
    let timer: NodeJS.Timeout | null = null;
    let refresh: (() => Promise<AcdServerMessage>) | null = null;
    let closed = false;
    let alive = true;
    let onClose: (() => Promise<void>) | null = null;
    let reading0: Promise<unknown> = Promise.resolve();

    const send = (msg: AcdServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
    };
    const push = () => {
      if (timer || closed || !refresh) return;
      timer = setTimeout(() => {
        timer = null;
        if (closed || !refresh) return;
        // One read at a time per socket, so an older snapshot never overtakes a newer one.
        const run = reading0.then(() => refresh?.());
        reading0 = run.then(
          (msg) => {
            if (msg && !closed) send(msg);
          },
          () => undefined,
        );
      }, COALESCE_MS);
    };
    const subscribe = (channel: string) =>
      deps.bus.subscribe(channel, (m) => {
        // The line changed: the next read must not come from the cache.
        if (m.kind === 'acd' && m.topic === 'queue') {
          lines.delete(m.id);
          deps.acd.lineChanged();
        }
        push();
      });
    const listen = async (channel: string) => {
      unsubscribers.push(await subscribe(channel));
    };
    const hello = setTimeout(() => socket.close(4400, 'no hello'), HELLO_TIMEOUT_MS);
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('error', () => undefined);

    socket.once('message', (data, isBinary) => {
      clearTimeout(hello);
      void (async () => {
        let parsed: unknown;
        try {
          parsed = isBinary ? null : JSON.parse(String(data));
        } catch {
          parsed = null;
        }
        const r = AcdHello.safeParse(parsed);
        if (!r.success) throw RsError.validation('The first message must be an acd.hello.');
        const h = r.data;
        if (h.as === 'agent') {
          if (!sameOrigin(req)) throw RsError.forbidden('Agents connect from the support site only.');
          const me = await deps.auth.userOf(req);
          if (!me) throw RsError.unauthenticated();
          deps.acd.requireAgent(me.user);
          const userId = me.user.id;
          // The queues an agent serves change when an admin edits them (the agent is told on the agent channel):
          // each snapshot brings the socket's queue subscriptions in line with it.
          const queueSubs = new Map<string, Promise<() => Promise<void>>>();
          const followQueues = (ids: string[]) => {
            if (closed) return;
            for (const [id, sub] of queueSubs) {
              if (ids.includes(id)) continue;
              queueSubs.delete(id);
              void sub.then((u) => u()).catch(() => undefined);
            }
            for (const id of ids) if (!queueSubs.has(id)) queueSubs.set(id, subscribe(acdChannel('queue', id)));
          };
          unsubscribers.push(async () => {
            for (const sub of queueSubs.values()) await (await sub)();
          });
          refresh = async () => {
            const state = await deps.acd.agentState(userId);
            if (!closed) followQueues(state.queues.map((q) => q.id));
            return { type: 'acd.agent', state };
          };
          await listen(acdChannel('agent', userId));
          followQueues((await deps.acd.store.queuesOfAgent(userId)).map((q) => q.id));
        } else {
          deps.acd.checkWaitingToken(h.requestId, h.token);
          const requestId = h.requestId;
          const row = await deps.acd.store.request(requestId);
          if (!row) throw RsError.notFound('There is no such place in the queue.');
          refresh = async () => {
            const current = await deps.acd.store.request(requestId);
            const line = current?.queue_id ? await lineOf(current.queue_id) : undefined;
            return { type: 'acd.waiting', state: await deps.acd.waitingState(requestId, line) };
          };
          await listen(acdChannel('request', requestId));
          // Overflow moves a person to another queue: listen to both.
          if (row.queue_id) await listen(acdChannel('queue', row.queue_id));
          const target = (await deps.acd.store.queue(row.queue_id ?? ''))?.overflowQueueId;
          if (target) await listen(acdChannel('queue', target));
          watchers.set(requestId, (watchers.get(requestId) ?? 0) + 1);
          await deps.acd.setWatched(requestId, true);
          onClose = async () => {
            const n = (watchers.get(requestId) ?? 1) - 1;
            if (n > 0) return void watchers.set(requestId, n);
            watchers.delete(requestId);
            await deps.acd.setWatched(requestId, false);
          };
        }
        if (closed) return;
        send(await refresh());
      })().catch((err: unknown) => {
        const e = err instanceof RsError ? err : new RsError('RS_ERR_INTERNAL', 'The server could not open the connection.');
        send({ type: 'acd.error', code: e.code, message: e.message });
        socket.close(4400, e.code);
      });
    });

    socket.on('close', () => {
      closed = true;
      clearTimeout(hello);
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      for (const u of unsubscribers) void u().catch(() => undefined);
      if (onClose) void onClose().catch(() => undefined);
    });
  });
}

/** Cookie-authenticated sockets must come from our own pages (no cross-site WebSocket hijacking). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
