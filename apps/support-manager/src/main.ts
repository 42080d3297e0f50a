/**
 * `support-manager <pairing-url>`: redeems the one-time pairing link the
 * customer's page opened, joins the session as the customer's device, shares
 * the screen (desktop.control: the primary monitor; app.control: the focused
 * window) with the rep over WebRTC and takes the primary rep's input until
 * control is stopped. Prints "Control ended" and exits 0 then; a refused
 * link (expired, used, invalid) prints the server's reason and exits 2.
 */
import os from 'node:os';
import { SessionClient } from '@rs/client';
import { CONTROL_KINDS } from '@rs/protocol';
import WebSocket from 'ws';
import { createBackend } from './backend/index.js';
import type { Backend } from './backend/types.js';
import { ControlSession, type ControlEndReason, type ControlKind } from './session/control.js';
import { PairingError, redeemPairing } from './session/redeem.js';

const EXIT = { ok: 0, failure: 1, refused: 2, usage: 64 } as const;

const info = (line: string) => process.stderr.write(`support-manager: ${line}\n`);

const ENDED: Record<ControlEndReason, string> = {
  stopped: 'Control ended',
  'session-ended': 'Control ended (the session ended)',
  removed: 'Control ended (this computer is no longer in the session)',
  disconnected: 'Control ended (the connection to the session was closed)',
  'capture-ended': 'Control ended (the shared screen or window is gone)',
  quit: 'Control ended',
  'capture-failed': 'Control could not start',
};

export async function main(argv: string[]): Promise<number> {
  const url = argv[0];
  if (!url || argv.length > 1 || url === '--help' || url === '-h') {
    process.stderr.write('usage: support-manager <support-manager://pair?server=…&code=…>\n');
    return EXIT.usage;
  }

  let redeemed;
  try {
    redeemed = await redeemPairing(url, os.hostname());
  } catch (e) {
    if (e instanceof PairingError) {
      process.stderr.write(`support-manager: pairing refused: ${e.message}\n`);
      return EXIT.refused;
    }
    throw e;
  }
  if (!CONTROL_KINDS.has(redeemed.kind)) {
    process.stderr.write(`support-manager: this link is for ${redeemed.kind}, which Support Manager does not do\n`);
    return EXIT.refused;
  }

  let backend: Backend;
  try {
    backend = await createBackend();
  } catch (e) {
    process.stderr.write(`support-manager: cannot use this desktop: ${(e as Error).message}\n`);
    return EXIT.failure;
  }

  const wsUrl = `${redeemed.server.replace(/^http/, 'ws')}/ws`;
  const client = new SessionClient({
    url: wsUrl,
    sessionId: redeemed.ticket.sessionId,
    token: redeemed.ticket.token,
    socket: (u) => new WebSocket(u) as never,
    minBackoffMs: 250,
    maxBackoffMs: 5000,
  });
  client.on('error', (err) => info(`server: ${err.message}`));
  client.on('state', (s) => {
    if (s.state === 'reconnecting') info(`connection lost, reconnecting in ${s.retryInMs} ms`);
  });
  let announced = false;
  client.on('view', (v) => {
    if (announced) return;
    announced = true;
    info(`joined session ${v.number} as ${v.participants[redeemed.ticket.participantId]?.name ?? 'device'}`);
  });

  const control = new ControlSession({ client, backend, activityId: redeemed.activityId, kind: redeemed.kind as ControlKind, log: info }).start();
  client.connect();

  let quitting = false;
  const quit = (sig: string) => {
    if (quitting) return;
    quitting = true;
    info(`${sig}: leaving the session`);
    // Gate first, then tell the session.
    control.end('quit');
    const left = client.connection.state === 'open' ? client.leave().catch(() => undefined) : Promise.resolve();
    void Promise.race([left, new Promise((r) => setTimeout(r, 1000))]).then(() => client.close());
  };
  process.on('SIGINT', () => quit('SIGINT'));
  process.on('SIGTERM', () => quit('SIGTERM'));

  const reason = await control.ended;
  if (quitting) await new Promise<void>((r) => (client.connection.state === 'closed' ? r() : client.on('state', (s) => s.state === 'closed' && r())));
  else client.close();
  process.stdout.write(`${ENDED[reason]}\n`);
  if (control.input.accepted + control.input.refused > 0) {
    info(`input: ${control.input.accepted} accepted (${control.input.delivered} delivered), ${control.input.refused} refused; ${control.frames} frames captured`);
  }
  await Promise.race([backend.close(), new Promise((r) => setTimeout(r, 1000))]);
  return reason === 'capture-failed' ? EXIT.failure : EXIT.ok;
}

// wrtc's native threads keep the process alive: leave explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`support-manager: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(EXIT.failure);
  },
);
