/**
 * `support-manager [--folder <path>] [--read-only] <pairing-url>`: redeems
 * the one-time pairing link the customer's page opened and joins the session
 * as the customer's device, then carries out what the customer accepted:
 *
 * - remote control (desktop.control: the primary monitor; app.control: the
 *   focused window): shares the screen with the rep over WebRTC and takes
 *   the primary rep's input until control is stopped; prints "Control
 *   ended" and exits 0 then;
 * - folder access (FT-2): serves the folder given with `--folder` (the home
 *   folder by default) to the rep who asked, each write allowed by the
 *   customer in their page (none at all with `--read-only`); needs no
 *   display; prints "Folder access ended" and exits 0 when it is stopped.
 *
 * A refused link (expired, used, invalid) prints the server's reason and
 * exits 2; a usage error (unknown option, a `--folder` that is not a
 * folder) exits 64 before the link is used.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SessionClient } from '@rs/client';
import { CONTROL_KINDS } from '@rs/protocol';
import WebSocket from 'ws';
import { USAGE, parseArgs } from './args.js';
import { createBackend } from './backend/index.js';
import type { Backend } from './backend/types.js';
import { NodeDirectoryHandle } from './folder/node-directory.js';
import { ControlSession, type ControlEndReason, type ControlKind } from './session/control.js';
import { FolderSession, type FolderEndReason } from './session/folder.js';
import { PairingError, redeemPairing, type Redeemed } from './session/redeem.js';

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

const FOLDER_ENDED: Record<FolderEndReason, string> = {
  stopped: 'Folder access ended',
  'session-ended': 'Folder access ended (the session ended)',
  removed: 'Folder access ended (this computer is no longer in the session)',
  disconnected: 'Folder access ended (the connection to the session was closed)',
  quit: 'Folder access ended',
};

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args ? `support-manager: ${args}\n` : ''}${USAGE}`);
    return EXIT.usage;
  }
  // Checked before the link is used up: a wrong --folder must not cost the customer their link.
  let folder = args.folder;
  if (folder !== null) {
    folder = path.resolve(folder);
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      process.stderr.write(`support-manager: --folder ${args.folder}: not a folder\n`);
      return EXIT.usage;
    }
  }

  let redeemed: Redeemed;
  try {
    redeemed = await redeemPairing(args.url, os.hostname());
  } catch (e) {
    if (e instanceof PairingError) {
      process.stderr.write(`support-manager: pairing refused: ${e.message}\n`);
      return EXIT.refused;
    }
    throw e;
  }
  if (redeemed.kind === 'folder') return runFolder(redeemed, folder ?? os.homedir(), args.readOnly);
  if (!CONTROL_KINDS.has(redeemed.kind)) {
    process.stderr.write(`support-manager: this link is for ${redeemed.kind}, which Support Manager does not do\n`);
    return EXIT.refused;
  }
  return runControl(redeemed);
}

function joinSession(redeemed: Redeemed): SessionClient {
  const client = new SessionClient({
    url: `${redeemed.server.replace(/^http/, 'ws')}/ws`,
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
  return client;
}

/** SIGINT/SIGTERM: `stop` first (nothing more is injected or transferred), then leave the session (≤ 1 s). */
function quitOnSignals(client: SessionClient, stop: () => void): { quitting(): boolean; closed(): Promise<void> } {
  let quitting = false;
  const quit = (sig: string) => {
    if (quitting) return;
    quitting = true;
    info(`${sig}: leaving the session`);
    stop();
    const left = client.connection.state === 'open' ? client.leave().catch(() => undefined) : Promise.resolve();
    void Promise.race([left, new Promise((r) => setTimeout(r, 1000))]).then(() => client.close());
  };
  process.on('SIGINT', () => quit('SIGINT'));
  process.on('SIGTERM', () => quit('SIGTERM'));
  return {
    quitting: () => quitting,
    closed: () => new Promise<void>((r) => (client.connection.state === 'closed' ? r() : client.on('state', (s) => s.state === 'closed' && r()))),
  };
}

async function runControl(redeemed: Redeemed): Promise<number> {
  let backend: Backend;
  try {
    backend = await createBackend();
  } catch (e) {
    process.stderr.write(`support-manager: cannot use this desktop: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  const client = joinSession(redeemed);
  const control = new ControlSession({ client, backend, activityId: redeemed.activityId, kind: redeemed.kind as ControlKind, log: info }).start();
  client.connect();
  const signals = quitOnSignals(client, () => control.end('quit'));

  const reason = await control.ended;
  if (signals.quitting()) await signals.closed();
  else client.close();
  process.stdout.write(`${ENDED[reason]}\n`);
  if (control.input.accepted + control.input.refused > 0) {
    info(`input: ${control.input.accepted} accepted (${control.input.delivered} delivered), ${control.input.refused} refused; ${control.frames} frames captured`);
  }
  await Promise.race([backend.close(), new Promise((r) => setTimeout(r, 1000))]);
  return reason === 'capture-failed' ? EXIT.failure : EXIT.ok;
}

/** Folder access needs no display: nothing here touches X. */
async function runFolder(redeemed: Redeemed, folder: string, readOnly: boolean): Promise<number> {
  let root: NodeDirectoryHandle;
  try {
    root = await NodeDirectoryHandle.open(folder);
  } catch (e) {
    // The link is used up by now (only the home folder gets here unchecked); the customer's page offers a new one.
    process.stderr.write(`support-manager: cannot share ${folder}: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  info(`folder: ${root.realPath}${readOnly ? ' (read-only)' : ''}`);
  const client = joinSession(redeemed);
  const session = new FolderSession({ client, activityId: redeemed.activityId, root, readOnly, log: info }).start();
  client.connect();
  const signals = quitOnSignals(client, () => session.end('quit'));

  const reason = await session.ended;
  if (signals.quitting()) await signals.closed();
  else client.close();
  process.stdout.write(`${FOLDER_ENDED[reason]}\n`);
  const s = session.stats;
  info(`files: ${s.sent} sent, ${s.saved} saved, ${s.refused} refused, ${s.failed} failed`);
  return EXIT.ok;
}

// wrtc's native threads keep the process alive: leave explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`support-manager: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(EXIT.failure);
  },
);
