import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface RunningCoturn {
  /** The TURN URL for the server's TURN_URLS. */
  url: string;
  port: number;
  secret: string;
  /** Everything coturn logged so far. */
  output(): string;
  stop(): Promise<void>;
}

export const TURNSERVER = process.env.TURNSERVER_PATH || '/usr/bin/turnserver';

/**
 * coturn on loopback only, as a child process, with the TURN REST API
 * shared secret (use-auth-secret) the server's TURN_SECRET signs with.
 * Relaying between two browsers on the same machine goes to 127.0.0.1 peers,
 * which coturn refuses unless --allow-loopback-peers is given. The relay
 * ports are a small range picked at random so parallel runs rarely meet.
 * Resolves once coturn answers a STUN Binding request on its port.
 */
export async function startCoturn(opts: { secret?: string; timeoutMs?: number } = {}): Promise<RunningCoturn> {
  const port = await freePort();
  const secret = opts.secret ?? crypto.randomBytes(18).toString('base64url');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-coturn-'));
  const minPort = 20_000 + crypto.randomInt(0, 400) * 100;
  const conf = [
    'listening-ip=127.0.0.1',
    'relay-ip=127.0.0.1',
    `listening-port=${port}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'realm=test',
    'no-tls',
    'no-dtls',
    'no-cli',
    'allow-loopback-peers',
    `min-port=${minPort}`,
    `max-port=${minPort + 99}`,
    'fingerprint',
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `userdb=${path.join(dir, 'turndb')}`,
    'log-file=stdout',
    'simple-log',
    'verbose',
  ].join('\n');
  const confFile = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(confFile, `${conf}\n`, { mode: 0o600 });
  const proc: ChildProcess = spawn(TURNSERVER, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let spawnError: Error | null = null;
  proc.once('error', (e) => (spawnError = e));

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (spawnError) throw new Error(`cannot start ${TURNSERVER}: ${(spawnError as Error).message} (bash scripts/ensure-system-deps.sh coturn)`);
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`turnserver exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${out}`);
    }
    if (await stunAnswers(port, 250)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} in time:\n${out}`);
    }
  }
  return { url: `turn:127.0.0.1:${port}?transport=udp`, port, secret, output: () => out, stop };
}

/** Sends one STUN Binding request over UDP; true when a Binding success response with our transaction id comes back in time. */
function stunAnswers(port: number, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const tid = crypto.randomBytes(12);
    const msg = Buffer.alloc(20);
    msg.writeUInt16BE(0x0001, 0); // Binding request
    msg.writeUInt16BE(0, 2); // no attributes
    msg.writeUInt32BE(0x2112a442, 4); // magic cookie
    tid.copy(msg, 8);
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    sock.on('error', () => finish(false));
    sock.on('message', (m) => finish(m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(tid)));
    sock.send(msg, port, '127.0.0.1', (err) => {
      if (err) finish(false);
    });
  });
}
