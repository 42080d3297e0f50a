/**
 * A private X server for tests: Xvfb on a display number it picks itself
 * (-displayfd, so parallel test files never collide), 1280×720×24 with XTEST
 * and DAMAGE, plus helpers to run X programs (xterm, xdotool) on it. Xvfb,
 * xterm, xdotool and x11-utils come from Debian:
 *   bash scripts/ensure-system-deps.sh xvfb xterm xdotool x11-utils
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export const XVFB = process.env.XVFB_PATH || '/usr/bin/Xvfb';

export interface RunningXvfb {
  /** e.g. ":5" */
  display: string;
  pid: number;
  /** Environment for X programs on this display. */
  env: NodeJS.ProcessEnv;
  /** Starts an X program on this display; it is killed by stop() if still running. */
  run(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Runs a program to completion (xdotool, xwininfo…) and returns its stdout. */
  exec(cmd: string, args: string[]): Promise<string>;
  /** CPU seconds the Xvfb process has used so far (user + system). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Throws with the install hint when a program the tests need is missing. */
export function requirePrograms(paths: string[]): void {
  const missing = paths.filter((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: bash scripts/ensure-system-deps.sh xvfb xterm xdotool x11-utils`);
}

export async function startXvfb(opts: { width?: number; height?: number; timeoutMs?: number } = {}): Promise<RunningXvfb> {
  requirePrograms([XVFB, '/usr/bin/xterm', '/usr/bin/xdotool']);
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const args = [
    '-displayfd', '3',
    '-screen', '0', `${width}x${height}x24`,
    '+extension', 'XTEST',
    '+extension', 'DAMAGE',
    '-nolisten', 'tcp',
    // no reset when the last client leaves: keymap changes and the like would otherwise be undone between tests
    '-noreset',
  ];
  const proc = spawn(XVFB, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const display = await new Promise<string>((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in time:\n${log}`)), opts.timeoutMs ?? 10_000);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${XVFB}: ${e.message} (bash scripts/ensure-system-deps.sh xvfb)`));
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code ?? signal}) before it was ready:\n${log}`));
    });
    const fd3 = proc.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (d) => {
      got += String(d);
      const m = /^(\d+)\n/.exec(got);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
  delete env.XAUTHORITY;
  const children = new Set<ChildProcess>();
  const pid = proc.pid!;
  return {
    display,
    pid,
    env,
    run(cmd, args, o = {}) {
      const child = spawn(cmd, args, { env: { ...env, ...o.env }, stdio: ['ignore', 'ignore', 'pipe'], detached: false });
      child.stderr!.resume();
      child.once('error', (e) => console.error(`cannot run ${cmd}: ${e.message}`));
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    exec(cmd, args) {
      return new Promise((resolve, reject) =>
        execFile(cmd, args, { env, timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout))),
      );
    },
    cpuSeconds() {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of stat)
        return ticks / 100;
      } catch {
        return 0;
      }
    },
    async stop() {
      for (const c of children) {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `fn` until it returns a truthy value (which it returns) or the time is up. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
