import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  proc: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGKILL, like a crash: no shutdown code runs. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** Starts a new process on the same port and data. */
  restart(): Promise<RunningServer>;
}

/**
 * Starts the real server as its own process (node + tsx, like `npm start`)
 * with a fresh data folder and the test admin, and waits until it listens.
 */
export async function startServer(opts: { env?: Record<string, string>; dataDir?: string; port?: number } = {}): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rs-data-'));
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    SIGNIN_PER_MINUTE: '1000',
    JOIN_PER_MINUTE: '1000',
    SWEEP_INTERVAL_MS: '200',
    ...opts.env,
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps/server/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.includes('is listening on')) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    };
    const cleanup = () => {
      proc.stdout!.off('data', onData);
      proc.off('exit', onExit);
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', onExit);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    env,
    proc,
    output: () => out,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    restart: () => startServer({ env: opts.env ?? {}, dataDir, port }),
  };
  return server;
}
