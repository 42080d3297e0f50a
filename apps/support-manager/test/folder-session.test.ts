/**
 * FT-2 through Support Manager end to end: a real server, the real program
 * as a child process (`node --import tsx src/main.ts <url>`, without any X
 * display: folder access needs none), the rep played here with @roamhq/wrtc
 * and packages/client's FolderClient over the product's data-channel and
 * relay transports, the customer's page played with a SessionClient that
 * answers the write questions Support Manager relays to it.
 *
 * The rep asks for folder access through Support Manager, the customer
 * accepts and gets a pairing link, the program redeems it and serves their
 * home folder ($HOME of the child). The rep lists it (sizes and dates as on
 * disk), downloads a file and uploads one (SHA-256 of both compared with the
 * files on disk), a write the customer denies leaves nothing, names and
 * links that lead out of the folder are refused (hostile messages written
 * straight onto the channel are dropped, a link out is neither listed nor
 * read nor written through), the same works through the server relay, and
 * the rep's Stop ends the program. With `--folder` and `--read-only` it
 * serves that folder and writes nothing; a `--folder` that is not a folder
 * is a usage error that leaves the link unused.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SessionClient } from '@rs/client';
import { FolderClient, dataChannelTransport, relayTransport, type FolderTransport } from '@rs/client/folder';
import { parsePairingUrl, type FolderMessage, type Pairing, type SessionView } from '@rs/protocol';
import { connected, inviteCustomer, startSession } from '../../server/test/live-session-helpers.js';
import { signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { sessionClient, waitForView } from '../../../test/support/ws.js';
import { READ_ONLY_REFUSAL } from '../src/session/folder.js';
import { answerDeviceOffers } from './support/control.js';
import { type DataChannelLike, type PeerConnectionLike } from '../src/session/wrtc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'apps/support-manager/src/main.ts');

let server: RunningServer;
let base: string;
const cleanups: (() => unknown)[] = [];
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

before(async () => {
  server = await startServer();
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-sm-ft2-')));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await server?.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** Rep and invited customer; the rep asks for folder access through Support Manager, the customer accepts and gets the pairing link. */
async function folderWithPairing() {
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = await connected(sessionClient(server.wsUrl, started.ticket));
  const ticket = await inviteCustomer(server.url, api, started.sessionId);
  const customer = await connected(sessionClient(server.wsUrl, ticket));
  cleanups.push(() => rep.close(), () => customer.close());
  await rep.request({ type: 'consent.request', kind: 'folder.access', to: ticket.participantId, via: 'support-manager' });
  const asked = await waitForView(customer, (v) => Object.values(v.consents).some((c) => c.state === 'pending'));
  const request = Object.values(asked.consents).find((c) => c.state === 'pending')!;
  assert.equal(request.via, 'support-manager', 'the customer’s page knows it is for Support Manager');
  await customer.request({ type: 'consent.answer', requestId: request.requestId, accept: true });
  const v = await waitForView(rep, (x) => Object.values(x.activities).some((a) => a.kind === 'folder' && a.state === 'active'));
  const activity = Object.values(v.activities).find((a) => a.kind === 'folder' && a.state === 'active')!;
  assert.deepEqual({ via: activity.via, deviceId: activity.deviceId }, { via: 'support-manager', deviceId: undefined });
  const link = async () => {
    const res = await fetch(`${server.url}/api/sessions/${ticket.sessionId}/pairings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-participant-token': ticket.token },
      body: JSON.stringify({ activityId: activity.activityId }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const pairing = (await res.json()) as Pairing;
    assert.ok(parsePairingUrl(pairing.url));
    return pairing.url;
  };
  return { rep, customer, activityId: activity.activityId, link };
}

interface Device {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The program, with HOME set to `home` and no X display at all. */
function spawnDevice(args: string[], home: string): Device {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** The rep's side of the WebRTC link, as the web console's MediaController does it for a folder: answer the device's offer, take its `folder` channel. */
function playRep(rep: SessionClient, activityId: string) {
  const state = { pc: null as PeerConnectionLike | null, channel: null as DataChannelLike | null, offers: 0 };
  let opened: (dc: DataChannelLike) => void;
  const channel = new Promise<DataChannelLike>((r) => (opened = r));
  answerDeviceOffers(rep, activityId, cleanups, (pc) => {
    state.offers += 1;
    state.pc = pc;
    pc.ondatachannel = (ev) => {
      if (ev.channel.label !== 'folder') return;
      const dc = ev.channel;
      dc.binaryType = 'arraybuffer';
      state.channel = dc;
      if (dc.readyState === 'open') opened(dc);
      else dc.onopen = () => opened(dc);
    };
  });
  return { state, channel };
}

/** Relayed folder messages between `me` and `peer` (the server's relay, as the web pages use it). */
function relayWith(client: SessionClient, activityId: string, peer: string): FolderTransport {
  return relayTransport(client, activityId, peer, (cb) =>
    client.on('signal', (s) => {
      if (s.activityId === activityId && s.payload.kind === 'relay') cb(s.from, s.payload.data);
    }),
  );
}

/**
 * The customer's page: Support Manager relays each write for them to allow;
 * `answer` decides (true, a refusal message, or null: no answer yet).
 * Records what was asked and what followed (`done`, `error`, `cancel`).
 */
function playCustomer(customer: SessionClient, activityId: string, device: string, answer: (m: Extract<FolderMessage, { op: 'write' }>) => true | string | null) {
  const transport = relayWith(customer, activityId, device);
  const asked: Extract<FolderMessage, { op: 'write' }>[] = [];
  const outcomes: FolderMessage[] = [];
  const waiters: { id: number; resolve: (m: FolderMessage) => void }[] = [];
  let onAsked: (() => void) | null = null;
  transport.onMessage((m) => {
    if (m.op === 'write') {
      asked.push(m);
      onAsked?.();
      const a = answer(m);
      if (a !== null) void transport.send(a === true ? { op: 'accept', id: m.id } : { op: 'error', id: m.id, message: a });
    } else if (m.op === 'done' || m.op === 'error' || m.op === 'cancel') {
      outcomes.push(m);
      for (const w of waiters.splice(0)) (w.id === m.id ? w.resolve(m) : waiters.push(w));
    }
  });
  return {
    asked,
    outcomes,
    /** Resolves when the `n`th question has arrived. */
    question: (n: number) => (asked.length >= n ? Promise.resolve() : new Promise<void>((r) => (onAsked = () => asked.length >= n && r()))),
    /** The outcome Support Manager reports for ask `id`. */
    outcome: (id: number) => {
      const got = outcomes.find((m) => m.id === id);
      return got ? Promise.resolve(got) : new Promise<FolderMessage>((resolve) => waiters.push({ id, resolve }));
    },
  };
}

const activityOf = (v: SessionView, id: string) => v.activities[id];

function randomFile(p: string, size: number): Buffer {
  const bytes = crypto.randomBytes(size);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  return bytes;
}

/** Every file under `dir` by relative path with its SHA-256: what "nothing changed" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile()) out[path.relative(dir, p)] = sha256(fs.readFileSync(p));
  }
  return out;
}

describe('Support Manager serves the customer’s folder (FT-2)', () => {
  test('the home folder by default: browse, download and upload by SHA-256, the customer allows or denies each write, escapes refused, the relay, Stop', { timeout: 90_000 }, async () => {
    const home = path.join(base, 'carla');
    const outside = path.join(base, 'outside');
    const files = {
      report: randomFile(path.join(home, 'report.pdf'), 5 * 1024 * 1024 + 123),
      letter: randomFile(path.join(home, 'Documents', 'letter.txt'), 70_000),
      secret: randomFile(path.join(outside, 'secret.txt'), 1000),
    };
    fs.writeFileSync(path.join(home, 'empty.txt'), '');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(home, 'secret-link'));
    fs.symlinkSync(outside, path.join(home, 'outside-link'));
    fs.symlinkSync('../..', path.join(home, 'Documents', 'up'));
    const outsideBefore = snapshot(outside);

    const { rep, customer, activityId, link } = await folderWithPairing();
    const viewer = playRep(rep, activityId);
    const device = spawnDevice([await link()], home);
    const early = device.exited.then((e) => {
      throw new Error(`the program exited early (${e.code ?? e.signal}):\n${device.stdout()}\n${device.stderr()}`);
    });
    early.catch(() => undefined);
    const ready = <T>(p: Promise<T>) => Promise.race([p, early]);

    const attached = await ready(waitForView(rep, (v) => !!activityOf(v, activityId)?.deviceId && v.participants[activityOf(v, activityId)!.deviceId!]?.connected === true, 20_000));
    const deviceId = activityOf(attached, activityId)!.deviceId!;
    assert.match(attached.participants[deviceId]!.name, /^Support Manager \(.+\) – /);
    let answer: true | string | null = true;
    const page = playCustomer(customer, activityId, deviceId, () => answer);

    // Over the data channel the device offered.
    const dc = await ready(viewer.channel);
    const folder = new FolderClient(dataChannelTransport(dc));
    const top = await ready(folder.list([]));
    assert.equal(top.folder, 'carla', 'the home folder, named as on disk');
    const stat = (p: string) => fs.statSync(path.join(home, p));
    assert.deepEqual(top.entries, [
      { name: 'Documents', kind: 'directory' },
      { name: 'empty.txt', kind: 'file', size: 0, modified: Math.trunc(stat('empty.txt').mtimeMs) },
      { name: 'report.pdf', kind: 'file', size: files.report.length, modified: Math.trunc(stat('report.pdf').mtimeMs) },
    ], 'links out of the folder are not listed');
    const docs = await folder.list(['Documents']);
    assert.deepEqual(docs.entries.map((e) => e.name), ['letter.txt']);

    // Download: the bytes equal the file on disk.
    const progress: number[] = [];
    const blob = await ready(folder.download(['report.pdf'], { onProgress: (p) => progress.push(p.done) }));
    assert.equal(sha256(new Uint8Array(await blob.arrayBuffer())), sha256(fs.readFileSync(path.join(home, 'report.pdf'))));
    assert.ok(progress.length > 10 && progress.at(-1) === files.report.length, 'progress as the bytes come');
    const letter = await folder.download(['Documents', 'letter.txt']);
    assert.equal(sha256(new Uint8Array(await letter.arrayBuffer())), sha256(files.letter));

    // Upload: the customer is asked in their page (with the folder named), allows, and the file on disk is the upload.
    const up = crypto.randomBytes(3 * 1024 * 1024 + 7);
    await ready(folder.upload(['Documents'], Object.assign(new Blob([up]), { name: 'fix.reg' })));
    assert.equal(sha256(fs.readFileSync(path.join(home, 'Documents', 'fix.reg'))), sha256(up));
    assert.deepEqual(page.asked.map((m) => ({ name: m.name, size: m.size, path: m.path })), [{ name: 'fix.reg', size: up.length, path: ['carla', 'Documents'] }]);
    assert.deepEqual(await page.outcome(page.asked[0]!.id), { op: 'done', id: page.asked[0]!.id });

    // Denied: the rep is told, nothing is written.
    answer = 'The customer did not allow saving this file.';
    await assert.rejects(folder.upload([], Object.assign(new Blob([up]), { name: 'evil.sh' })), /The customer did not allow saving this file/);
    assert.equal(fs.existsSync(path.join(home, 'evil.sh')), false);

    // The rep gives up while the customer has not answered: the question is withdrawn from their page.
    answer = null;
    const stop = new AbortController();
    const waiting = folder.upload([], Object.assign(new Blob([up]), { name: 'late.bin' }), { signal: stop.signal });
    await page.question(3);
    stop.abort();
    await assert.rejects(waiting, /Stopped/);
    assert.deepEqual(await page.outcome(page.asked[2]!.id), { op: 'cancel', id: page.asked[2]!.id });
    assert.equal(fs.existsSync(path.join(home, 'late.bin')), false);
    answer = true;

    // Escapes. Messages the schema refuses ("..", "/" in a name) are dropped unread by the device: a valid
    // request sent after them on the same ordered channel is answered, they never are.
    const raw: FolderMessage[] = [];
    const transport = dataChannelTransport(dc);
    transport.onMessage((m) => raw.push(m));
    for (const bad of [
      { op: 'read', id: 9001, path: ['..', 'outside', 'secret.txt'] },
      { op: 'list', id: 9002, path: ['..'] },
      { op: 'read', id: 9003, path: ['Documents/../../outside/secret.txt'] },
      { op: 'write', id: 9004, path: [], name: '../escaped.txt', size: 3 },
      { op: 'write', id: 9005, path: ['..'], name: 'escaped.txt', size: 3 },
      { op: 'list', id: 9006, path: ['a\u0000b'] },
    ]) {
      dc.send(JSON.stringify(bad));
    }
    const after = await folder.list([]);
    assert.equal(after.entries.length, 3);
    assert.deepEqual(raw.filter((m) => m.id >= 9001 && m.id <= 9006), [], 'nothing answers a refused message');
    // Links whose real path is outside: neither read, nor listed into, nor written through.
    await assert.rejects(folder.download(['secret-link']), /leads outside the shared folder/);
    await assert.rejects(folder.list(['outside-link']), /leads outside the shared folder/);
    await assert.rejects(folder.list(['Documents', 'up']), /leads outside the shared folder/);
    await assert.rejects(folder.upload([], Object.assign(new Blob([up]), { name: 'secret-link' })), /leads outside the shared folder/);
    await assert.rejects(folder.upload(['outside-link'], Object.assign(new Blob([up]), { name: 'x.txt' })), /leads outside the shared folder/);
    assert.deepEqual(snapshot(outside), outsideBefore, 'nothing outside the folder changed');
    assert.equal(fs.existsSync(path.join(base, 'escaped.txt')), false);

    // Through the server, as the rep's page falls back when no direct path exists.
    const relayed = new FolderClient(relayWith(rep, activityId, deviceId));
    const viaRelay = await relayed.list(['Documents']);
    assert.deepEqual(viaRelay.entries.map((e) => e.name).sort(), ['fix.reg', 'letter.txt']);
    const small = await relayed.download(['Documents', 'letter.txt']);
    assert.equal(sha256(new Uint8Array(await small.arrayBuffer())), sha256(files.letter));
    const up2 = crypto.randomBytes(100_000);
    await relayed.upload([], Object.assign(new Blob([up2]), { name: 'via-server.bin' }));
    assert.equal(sha256(fs.readFileSync(path.join(home, 'via-server.bin'))), sha256(up2));

    // The rep stops: the program says so and exits 0.
    await rep.request({ type: 'activity.stop', activityId });
    const exit = await device.exited;
    assert.equal(exit.code, 0, device.stderr());
    assert.match(device.stdout(), /^Folder access ended$/m);
    assert.match(device.stderr(), new RegExp(`folder: ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    assert.match(device.stderr(), /files: 3 sent, 2 saved, 1 refused, \d+ failed/);
    assert.equal(fs.readdirSync(home, { recursive: true }).filter((n) => String(n).endsWith('.part')).length, 0, 'no partial files left');
  });

  test('--folder and --read-only: that folder is served and nothing is written, nobody is asked; a --folder that is not a folder leaves the link unused', { timeout: 60_000 }, async () => {
    const shared = path.join(base, 'Shared');
    const bytes = randomFile(path.join(shared, 'manual.pdf'), 200_000);
    const { rep, customer, activityId, link } = await folderWithPairing();
    const url = await link();

    const wrong = spawnDevice(['--folder', path.join(shared, 'manual.pdf'), url], base);
    const refused = await wrong.exited;
    assert.equal(refused.code, 64, wrong.stderr());
    assert.match(wrong.stderr(), /--folder .*: not a folder/);

    const viewer = playRep(rep, activityId);
    const device = spawnDevice(['--read-only', `--folder=${shared}`, url], path.join(base, 'nobody-home'));
    const attached = await waitForView(rep, (v) => !!activityOf(v, activityId)?.deviceId, 20_000);
    const page = playCustomer(customer, activityId, activityOf(attached, activityId)!.deviceId!, () => true);
    const folder = new FolderClient(dataChannelTransport(await viewer.channel));
    const top = await folder.list([]);
    assert.equal(top.folder, 'Shared');
    assert.deepEqual(top.entries.map((e) => e.name), ['manual.pdf']);
    const got = await folder.download(['manual.pdf']);
    assert.equal(sha256(new Uint8Array(await got.arrayBuffer())), sha256(bytes));
    await assert.rejects(folder.upload([], Object.assign(new Blob([bytes]), { name: 'new.bin' })), (e: Error) => e.message === READ_ONLY_REFUSAL);
    assert.deepEqual(fs.readdirSync(shared), ['manual.pdf']);
    assert.deepEqual(page.asked, [], 'read-only: the customer is not asked');

    // The customer stops it from their page.
    await customer.request({ type: 'activity.stop', activityId });
    const exit = await device.exited;
    assert.equal(exit.code, 0, device.stderr());
    assert.match(device.stdout(), /^Folder access ended$/m);
    assert.match(device.stderr(), /\(read-only\)/);
  });
});
