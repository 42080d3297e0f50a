import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { signIn } from '../../../test/support/http.js';
import { sessionClient, waitForState, waitForView } from '../../../test/support/ws.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

test('a rep starts a session, a customer joins by number, is admitted, and they chat both ways', async () => {
  const { api } = await signIn(server.url);
  const started = await api.post<{ sessionId: string; number: string; ticket: { sessionId: string; token: string } }>('/api/sessions', {});
  assert.match(started.number, /^\d{9}$/);
  const rep = sessionClient(server.wsUrl, started.ticket).connect();
  await waitForState(rep, 'open');

  const joinRes = await fetch(`${server.url}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number: started.number, name: 'Carla Customer' }),
  });
  assert.equal(joinRes.status, 200);
  const ticket = (await joinRes.json()) as { sessionId: string; token: string; participantId: string };
  const customer = sessionClient(server.wsUrl, ticket).connect();
  await waitForView(rep, (v) => v.participants[ticket.participantId]?.status === 'waiting');
  // A waiting customer sees nothing of the chat.
  await rep.sendChat('before admission');
  await rep.admit(ticket.participantId);
  const cv = await waitForView(customer, (v) => v.participants[ticket.participantId]?.status === 'admitted' && v.chat.length === 1);
  assert.equal(cv.chat[0]!.text, 'before admission');
  await customer.sendChat('hello from the customer');
  const rv = await waitForView(rep, (v) => v.chat.some((m) => m.text === 'hello from the customer'));
  assert.equal(rv.chat.at(-1)!.from, ticket.participantId);
  rep.close();
  customer.close();
});
