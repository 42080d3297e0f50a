/**
 * SM-1 end to end: the Linux x64 archive is built (or reused when its inputs
 * are unchanged), extracted outside the repository and installed with
 * install.sh into a fresh HOME with its own XDG folders; xdg-mime then names
 * Support Manager's .desktop file as the support-manager:// handler, and
 * `xdg-open <pairing link>` — what the desktop does on the customer's click —
 * runs the INSTALLED program (its own Node, bundle and wrtc.node, nothing
 * from this repository), which joins a real session on a real server as the
 * customer's device, sends the Xvfb screen to the rep and ends on Stop.
 * uninstall.sh removes it all again.
 *
 * Needs Debian's xdg-utils, xvfb, xterm and xdotool:
 *   bash scripts/ensure-system-deps.sh xdg-utils xvfb xterm xdotool x11-utils
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForView } from '../../../test/support/ws.js';
import { ARCHIVE_DIR, buildLinuxArchive, type BuiltArchive } from '../scripts/package.js';
import { controlWithPairing, playRep, watchDevice, type Cleanups } from './support/control.js';
import { startXvfb, waitFor, type RunningXvfb } from './support/xvfb.js';

const exec = promisify(execFile);

let xvfb: RunningXvfb;
let server: RunningServer;
let built: BuiltArchive;
let tmp: string;
/** The customer's home: install.sh and xdg-utils see only this. */
let home: string;
let env: NodeJS.ProcessEnv;
const cleanups: Cleanups = [];

before(async () => {
  for (const p of ['/usr/bin/xdg-mime', '/usr/bin/xdg-open']) {
    if (!fs.existsSync(p)) throw new Error(`missing ${p}: bash scripts/ensure-system-deps.sh xdg-utils`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-sm-package-'));
  const t0 = performance.now();
  [built, xvfb, server] = await Promise.all([buildLinuxArchive(), startXvfb(), startServer()]);
  console.log(
    `[support-manager] archive ${(built.size / 1e6).toFixed(1)} MB, ${built.cached ? 'reused (inputs unchanged)' : 'built'}; ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  // Nothing of this machine's desktop session (XDG_CURRENT_DESKTOP, BROWSER…): xdg-utils in their generic mode.
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    DISPLAY: xvfb.display,
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    // No system-wide defaults or desktop files: only what install.sh wrote counts.
    XDG_DATA_DIRS: empty,
    XDG_CONFIG_DIRS: empty,
  };
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await server?.stop();
  await xvfb?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (cmd: string, args: string[], opts: { cwd?: string } = {}) => exec(cmd, args, { env, cwd: opts.cwd ?? home, timeout: 30_000 });

describe('Support Manager for Linux x64: archive, install, one-click start, uninstall', () => {
  let prefix: string;
  let desktopFile: string;

  test('the archive holds the launcher, install scripts, runtime, bundle, native module and licenses', async () => {
    assert.equal(path.basename(built.path), 'support-manager-linux-x64.tar.gz');
    assert.equal(fs.statSync(built.path).size, built.size);
    const { stdout } = await exec('tar', ['-tzvf', built.path]);
    const entries = new Map(
      stdout
        .trim()
        .split('\n')
        .map((l) => {
          const f = l.split(/\s+/);
          return [f.at(-1)!.replace(/\/$/, ''), f[0]!] as const;
        }),
    );
    for (const [name, mode] of [
      ['support-manager', '-rwxr-xr-x'],
      ['install.sh', '-rwxr-xr-x'],
      ['uninstall.sh', '-rwxr-xr-x'],
      ['lib/node', '-rwxr-xr-x'],
      ['lib/support-manager.mjs', '-rw-r--r--'],
      ['lib/wrtc.node', '-rwxr-xr-x'],
      ['licenses/node-LICENSE.txt', '-rw-r--r--'],
      ['licenses/THIRD-PARTY-NOTICES.txt', '-rw-r--r--'],
      ['README.txt', '-rw-r--r--'],
    ]) {
      assert.equal(entries.get(`${ARCHIVE_DIR}/${name}`), mode, `${name} in the archive with mode ${mode}`);
    }
    assert.ok([...entries.keys()].every((k) => k === ARCHIVE_DIR || k.startsWith(`${ARCHIVE_DIR}/`)), 'one top folder');

    await exec('tar', ['-xzf', built.path, '-C', tmp]);
    const notices = fs.readFileSync(path.join(tmp, ARCHIVE_DIR, 'licenses/THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const pkg of ['@roamhq/wrtc', 'ws', 'x11', 'zod']) assert.match(notices, new RegExp(`^${pkg} \\S+ \\(`, 'm'), `${pkg}'s license is in the notices`);
    assert.match(fs.readFileSync(path.join(tmp, ARCHIVE_DIR, 'licenses/node-LICENSE.txt'), 'utf8'), /Node\.js/);
  });

  test('install.sh installs for the user and registers the support-manager:// handler', async () => {
    const { stdout } = await run('sh', [path.join(tmp, ARCHIVE_DIR, 'install.sh')]);
    prefix = path.join(home, '.local/share/support-manager');
    assert.match(stdout, /Support Manager is installed in /);
    desktopFile = path.join(home, '.local/share/applications/support-manager.desktop');
    const desktop = fs.readFileSync(desktopFile, 'utf8');
    assert.match(desktop, /^MimeType=x-scheme-handler\/support-manager;$/m);
    assert.match(desktop, new RegExp(`^Exec=${prefix}/support-manager %u$`, 'm'));
    const query = await run('xdg-mime', ['query', 'default', 'x-scheme-handler/support-manager']);
    assert.equal(query.stdout.trim(), 'support-manager.desktop');
    assert.equal(fs.readlinkSync(path.join(home, '.local/bin/support-manager')), `${prefix}/support-manager`);

    // The installed launcher runs on its own runtime: without a link it prints its usage and exits 64.
    const usage = await run(path.join(home, '.local/bin/support-manager'), []).then(
      () => assert.fail('exit 0 without a link'),
      (e: { code?: number; stderr?: string }) => e,
    );
    assert.equal(usage.code, 64);
    assert.match(usage.stderr ?? '', /^usage: support-manager /m);
  });

  test('xdg-open of a pairing link starts the installed program: it joins as the device, sends the screen, ends on Stop', { timeout: 60_000 }, async () => {
    const { rep, customer, customerId, activityId, url } = await controlWithPairing(server, cleanups);
    const viewer = playRep(rep, activityId, cleanups);
    // Started the way a desktop opens the link the customer clicked. Its own process
    // group, so a failed test can end xdg-open and the program it started together.
    const device = watchDevice(spawn('xdg-open', [url], { env, cwd: home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), cleanups, { group: true });
    const early = device.exited.then((e) => {
      throw new Error(`xdg-open ended early (${e.code ?? e.signal}):\n${device.stdout()}\n${device.stderr()}`);
    });
    early.catch(() => undefined);
    const ready = <T>(p: Promise<T>) => Promise.race([p, early]);

    const v = await ready(waitForView(rep, (x) => !!x.activities[activityId]?.deviceId && x.participants[x.activities[activityId]!.deviceId!]?.connected === true, 20_000));
    const deviceId = v.activities[activityId]!.deviceId!;
    assert.deepEqual({ kind: v.participants[deviceId]?.kind, pairedWith: v.participants[deviceId]?.pairedWith }, { kind: 'device', pairedWith: customerId });
    await ready(waitFor('the program saying it joined', () => /joined session \d+/.test(device.stderr())));
    await ready(waitFor('a video frame from the installed program', () => viewer.state.frames.length >= 1, 20_000));
    assert.deepEqual({ width: viewer.state.frames[0]!.width, height: viewer.state.frames[0]!.height }, { width: 1280, height: 720 });

    await customer.request({ type: 'activity.stop', activityId });
    const exit = await device.exited;
    assert.equal(exit.code, 0, `xdg-open: ${device.stderr()}`);
    assert.match(device.stdout(), /^Control ended$/m);
  });

  test('uninstall.sh removes the program, the link, the .desktop file and the registration', async () => {
    const { stdout } = await run(path.join(prefix, 'uninstall.sh'), []);
    assert.match(stdout, /was removed/);
    for (const p of [prefix, desktopFile, path.join(home, '.local/bin/support-manager')]) assert.equal(fs.existsSync(p), false, `${p} is gone`);
    const query = await run('xdg-mime', ['query', 'default', 'x-scheme-handler/support-manager']);
    assert.equal(query.stdout.trim(), '');
  });
});
