/**
 * Every intent × every role, over real sockets against the real server.
 * One table holds the expected outcome of each cell; each cell runs in a
 * fresh session so that what one cell does cannot change the next.
 *
 * An accepted intent is acknowledged with the sequence number of the one
 * event it caused, and the actor receives that event. A rejected intent gets
 * the expected error code, the actor stays connected, and the session is
 * unchanged: another rep's brand-new connection folds exactly the view seen
 * before, and the next event anybody causes gets the very next sequence
 * number (so nothing invisible was stored either).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionClient } from '@rs/client';
import { RsError, type ErrorCode, type SessionEventEnvelope, type SessionEventType, type SessionTicket } from '@rs/protocol';
import { createRep, signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForView } from '../../../test/support/ws.js';
import { connect, freshView, joinByNumber, startSession } from './api-helpers.js';

type Role = 'primary rep' | 'assistant rep' | 'admitted customer' | 'waiting customer' | 'former primary';
type IntentName =
  | 'chat.send public'
  | 'chat.send private'
  | 'notes.save'
  | 'participant.admit'
  | 'participant.deny'
  | 'control.transfer'
  | 'session.end'
  | 'session.leave';

type Expect = { ok: SessionEventType } | { error: ErrorCode };
const ok = (event: SessionEventType): Expect => ({ ok: event });
const no = (error: ErrorCode): Expect => ({ error });
const FORBIDDEN = no('RS_ERR_FORBIDDEN');

/** The whole matrix: what each role gets for each intent. */
const EXPECTED: Record<IntentName, Record<Role, Expect>> = {
  'chat.send public': {
    'primary rep': ok('chat.message'),
    'assistant rep': ok('chat.message'),
    'admitted customer': ok('chat.message'),
    'waiting customer': FORBIDDEN,
    'former primary': ok('chat.message'),
  },
  'chat.send private': {
    'primary rep': ok('chat.message'),
    'assistant rep': ok('chat.message'),
    'admitted customer': ok('chat.message'),
    'waiting customer': FORBIDDEN,
    'former primary': ok('chat.message'),
  },
  'notes.save': {
    'primary rep': ok('notes.saved'),
    'assistant rep': ok('notes.saved'),
    'admitted customer': FORBIDDEN,
    'waiting customer': FORBIDDEN,
    'former primary': ok('notes.saved'),
  },
  'participant.admit': {
    'primary rep': ok('participant.admitted'),
    'assistant rep': FORBIDDEN,
    'admitted customer': FORBIDDEN,
    'waiting customer': FORBIDDEN,
    'former primary': FORBIDDEN,
  },
  'participant.deny': {
    'primary rep': ok('participant.denied'),
    'assistant rep': FORBIDDEN,
    'admitted customer': FORBIDDEN,
    'waiting customer': FORBIDDEN,
    'former primary': FORBIDDEN,
  },
  'control.transfer': {
    'primary rep': ok('control.transferred'),
    'assistant rep': FORBIDDEN,
    'admitted customer': FORBIDDEN,
    'waiting customer': FORBIDDEN,
    'former primary': FORBIDDEN,
  },
  'session.end': {
    'primary rep': ok('session.ended'),
    'assistant rep': FORBIDDEN,
    'admitted customer': FORBIDDEN,
    'waiting customer': FORBIDDEN,
    'former primary': FORBIDDEN,
  },
  'session.leave': {
    'primary rep': no('RS_ERR_INVALID_STATE'),
    'assistant rep': ok('participant.left'),
    'admitted customer': ok('participant.left'),
    'waiting customer': ok('participant.left'),
    'former primary': ok('participant.left'),
  },
};

/**
 * A session with a primary rep P, an assistant rep A, an admitted customer C
 * and a waiting customer W, all connected. For the "former primary" role P
 * has handed control to A first.
 */
interface Fixture {
  ids: { P: string; A: string; C: string; W: string };
  tickets: { P: SessionTicket; A: SessionTicket; C: SessionTicket; W: SessionTicket };
  clients: { P: SessionClient; A: SessionClient; C: SessionClient; W: SessionClient };
}

type IntentInput = Parameters<SessionClient['request']>[0];

/** The intent each role sends, aimed at the most natural target for that role. */
const INTENTS: Record<IntentName, (f: Fixture, role: Role) => IntentInput> = {
  'chat.send public': () => ({ type: 'chat.send', text: 'Hello, everybody' }),
  // Reps write privately to the customer; customers privately to the rep who started the session.
  'chat.send private': (f, role) => ({
    type: 'chat.send',
    text: 'Just between us',
    to: role === 'admitted customer' || role === 'waiting customer' ? f.ids.P : f.ids.C,
  }),
  'notes.save': () => ({ type: 'notes.save', text: 'Customer cannot print; driver reinstalled.' }),
  // The waiting customer tries to admit or deny themself.
  'participant.admit': (f) => ({ type: 'participant.admit', participantId: f.ids.W }),
  'participant.deny': (f) => ({ type: 'participant.deny', participantId: f.ids.W }),
  // To the assistant; the assistant tries to grab control; the former primary tries to take it back.
  'control.transfer': (f, role) => ({ type: 'control.transfer', to: role === 'former primary' ? f.ids.P : f.ids.A }),
  'session.end': () => ({ type: 'session.end' }),
  'session.leave': () => ({ type: 'session.leave' }),
};

const ACTOR: Record<Role, keyof Fixture['ids']> = {
  'primary rep': 'P',
  'assistant rep': 'A',
  'admitted customer': 'C',
  'waiting customer': 'W',
  'former primary': 'P',
};

let server: RunningServer;
let primaryApi: Awaited<ReturnType<typeof signIn>>['api'];
let assistantApi: Awaited<ReturnType<typeof signIn>>['api'];
const open = new Set<SessionClient>();

before(async () => {
  server = await startServer();
  const admin = await signIn(server.url);
  primaryApi = (await createRep(server.url, admin.api, 'Pia Primary')).api;
  assistantApi = (await createRep(server.url, admin.api, 'Arne Assistant')).api;
});
after(async () => {
  for (const c of open) c.close();
  await server?.stop();
});

async function setup(transfer: boolean): Promise<Fixture> {
  const started = await startSession(primaryApi);
  const P = await connect(server, started.ticket);
  open.add(P);
  const cTicket = await joinByNumber(server.url, started.number, 'Carla Customer');
  const C = await connect(server, cTicket);
  open.add(C);
  await waitForView(P, (v) => v.participants[cTicket.participantId]?.status === 'waiting');
  await P.admit(cTicket.participantId);
  const aTicket = (await assistantApi.post<{ ticket: SessionTicket }>('/api/sessions/assist', { number: started.number })).ticket;
  const A = await connect(server, aTicket);
  open.add(A);
  const wTicket = await joinByNumber(server.url, started.number, 'Wanda Waiting');
  const W = await connect(server, wTicket);
  open.add(W);
  if (transfer) await P.transferControl(aTicket.participantId);
  const ids = { P: started.ticket.participantId, A: aTicket.participantId, C: cTicket.participantId, W: wTicket.participantId };
  // Settled: everybody is connected and in place, as both reps see it.
  for (const rep of [P, A]) {
    await waitForView(
      rep,
      (v) =>
        Object.values(ids).every((id) => v.participants[id]?.connected === true) &&
        v.participants[ids.C]?.status === 'admitted' &&
        v.participants[ids.W]?.status === 'waiting' &&
        v.primaryId === (transfer ? ids.A : ids.P),
    );
  }
  await waitForView(C, (v) => v.participants[ids.C]?.status === 'admitted');
  return { ids, tickets: { P: started.ticket, A: aTicket, C: cTicket, W: wTicket }, clients: { P, A, C, W } };
}

async function teardown(f: Fixture): Promise<void> {
  // Leave nothing open behind: whoever is in control ends the session if it still runs.
  const inControl = f.clients.P.view?.primaryId === f.ids.A ? f.clients.A : f.clients.P;
  if (inControl.connection.state === 'open' && inControl.view?.status.state === 'open') await inControl.endSession();
  for (const c of Object.values(f.clients)) {
    c.close();
    open.delete(c);
  }
}

function label(e: Expect): string {
  return 'ok' in e ? `accepted (${e.ok})` : `rejected with ${e.error}`;
}

test('the matrix covers every intent type and every role', () => {
  const intentTypes = new Set(Object.keys(EXPECTED).map((k) => k.split(' ')[0]));
  assert.deepEqual([...intentTypes].sort(), [
    'chat.send',
    'control.transfer',
    'notes.save',
    'participant.admit',
    'participant.deny',
    'session.end',
    'session.leave',
  ]);
  for (const row of Object.values(EXPECTED)) assert.equal(Object.keys(row).length, 5);
});

for (const [intentName, row] of Object.entries(EXPECTED) as [IntentName, Record<Role, Expect>][]) {
  describe(intentName, () => {
    for (const [role, expected] of Object.entries(row) as [Role, Expect][]) {
      test(`${role}: ${label(expected)}`, async () => {
        const f = await setup(role === 'former primary');
        try {
          const actorKey = ACTOR[role];
          const actor = f.clients[actorKey];
          // The observer is a rep other than the actor; reps see every event but others' private chat.
          const observerKey = actorKey === 'P' ? 'A' : 'P';
          const observer = f.clients[observerKey];
          const before = structuredClone(observer.view!);
          const received: SessionEventEnvelope[] = [];
          const off = actor.on('event', (env) => received.push(env));
          const intent = INTENTS[intentName](f, role);

          if ('ok' in expected) {
            const seq = await actor.request(intent);
            off();
            assert.equal(seq, before.lastSeq + 1, 'acknowledged with the seq of the one event it caused');
            const mine = received.find((env) => env.seq === seq);
            assert.equal(mine?.event.type, expected.ok, `the actor receives its ${expected.ok} event`);
            if (expected.ok === 'chat.message' && mine?.event.type === 'chat.message') {
              assert.equal(mine.event.from, f.ids[actorKey]);
              assert.equal(mine.event.to, 'to' in intent ? intent.to : undefined);
            }
          } else {
            await assert.rejects(actor.request(intent), (err: unknown) => {
              assert.ok(err instanceof RsError, String(err));
              assert.equal(err.code, expected.error, err.message);
              return true;
            });
            off();
            assert.deepEqual(received, [], 'the actor received no event');
            assert.equal(actor.connection.state, 'open', 'a refused intent does not disconnect');
            const fresh = await freshView(server, f.tickets[observerKey]);
            assert.deepEqual(fresh, before, "another rep's fresh connection sees the session unchanged");
            // Nothing invisible was stored either: the next event gets the next seq.
            const next = await observer.sendChat('still here');
            assert.equal(next, before.lastSeq + 1);
          }
        } finally {
          await teardown(f);
        }
      });
    }
  });
}
