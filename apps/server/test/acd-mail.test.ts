/** ACD-5: a message left outside business hours is mailed to the queue's agents when SMTP is configured. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Queue, SiteSettings } from '@rs/protocol';
import { queueBody } from '../../../test/support/acd.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { startSmtp } from '../../../test/support/smtp.js';

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: RunningServer;
before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Remote Support <support@example.test>' } });
});
after(async () => {
  await server?.stop();
  smtp?.stop();
});

test('a message left while the queue is closed reaches its agents by mail, and the agents page lists it', async () => {
  const admin = await signIn(server.url);
  const settings = await admin.api.get<SiteSettings>('/api/settings');
  await admin.api.put('/api/settings', { ...settings, webAcdEnabled: true });
  const agent = await createRep(server.url, admin.api, 'Mia Mailed', { admin: false, rep: true, agent: true });
  await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'After hours', slug: 'after-hours', agentIds: [agent.user.id], hours: { timeZone: 'UTC', days: {} } }));
  const res = await fetch(`${server.url}/api/acd/queues/after-hours/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Olle Owl', email: 'olle@example.test', problem: 'My order 4711 never arrived.' }),
  });
  assert.equal(res.status, 201);
  const mail = await smtp.nextMail();
  assert.deepEqual(mail.to, [agent.email]);
  assert.match(mail.subject, /Olle Owl/);
  assert.match(mail.body, /My order 4711 never arrived\./);
  assert.match(mail.body, /olle@example\.test/);
  const { messages } = await agent.api.get<{ messages: { name: string }[] }>('/api/acd/messages');
  assert.deepEqual(messages.map((m) => m.name), ['Olle Owl']);
});
