/**
 * Remote control with several monitors and the display mode (DSK-2, SES-1),
 * end to end: a real server, an Xvfb whose 2304×720 screen is split into two
 * RandR monitors, the program as a child process, the rep played with
 * @roamhq/wrtc. The rep is told the monitors, a selection from someone who is
 * not the primary rep or of an unknown monitor changes nothing, the primary
 * rep's selection brings frames of the second monitor and clicks land there;
 * in "Screen sampling" the frames are half size and a click at a video
 * position still lands at the matching screen position.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ScreensMessage, type SessionView } from '@rs/protocol';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForView } from '../../../test/support/ws.js';
import { controlWithPairing, playRep, watchDevice, type Cleanups } from './support/control.js';
import { setMonitors } from './support/monitors.js';
import { startXvfb, waitFor, type RunningXvfb } from './support/xvfb.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'apps/support-manager/src/main.ts');

// Left 1280×720 (primary), right 1024×600 beside it: different sizes, so the frames say which one is shown.
const LEFT = { name: 'sm-left', x: 0, y: 0, width: 1280, height: 720, primary: true, takeOutput: true };
const RIGHT = { name: 'sm-right', x: 1280, y: 0, width: 1024, height: 600 };

let xvfb: RunningXvfb;
let server: RunningServer;
let dir: string;
const cleanups: Cleanups = [];

before(async () => {
  [xvfb, server] = await Promise.all([startXvfb({ width: 2304, height: 720 }), startServer()]);
  await setMonitors(xvfb.display, [LEFT, RIGHT]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-sm-monitors-'));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await server?.stop();
  await xvfb?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
const control = (v: SessionView, id: string) => v.activities[id];

/** The device's latest `screens` message the viewer got, if any. */
function lastScreens(messages: unknown[]): ScreensMessage | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = ScreensMessage.safeParse(messages[i]);
    if (m.success) return m.data;
  }
  return null;
}

/** An xterm titled `title` at `geometry` running `cat > file`; resolves with its geometry on the screen. */
async function catTerm(title: string, geometry: string, file: string) {
  xvfb.run('xterm', ['-T', title, '-u8', '-geometry', geometry, '-e', 'sh', '-c', `exec cat > '${file}'`]);
  await waitFor(`cat writing ${file}`, () => fs.existsSync(file));
  return waitFor(`the geometry of ${title}`, async () => {
    const out = await xvfb.exec('xdotool', ['search', '--name', `^${title}$`, 'getwindowgeometry', '--shell']);
    const n = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(out)?.[1]);
    return out.includes('WIDTH') ? { x: n('X'), y: n('Y'), w: n('WIDTH'), h: n('HEIGHT') } : null;
  });
}

describe('Support Manager program: several monitors and the display mode', () => {
  test('the rep switches monitors; only the primary rep may; sampling sends half-size frames and clicks still land', { timeout: 120_000 }, async () => {
    const { rep, customer, activityId, url } = await controlWithPairing(server, cleanups);
    const viewer = playRep(rep, activityId, cleanups);
    const device = watchDevice(spawn(process.execPath, ['--import', 'tsx', MAIN, url], { cwd: ROOT, env: xvfb.env, stdio: ['ignore', 'pipe', 'pipe'] }), cleanups);
    const early = device.exited.then((e) => {
      throw new Error(`the program exited early (${e.code ?? e.signal}):\n${device.stdout()}\n${device.stderr()}`);
    });
    early.catch(() => undefined);
    const ready = <T>(p: Promise<T>) => Promise.race([p, early]);
    const frameSize = () => {
      const f = viewer.state.frames.at(-1);
      return f ? `${f.width}x${f.height}` : '';
    };

    // The rep hears the two monitors as soon as the channel opens; the primary one is shown.
    await ready(waitFor('an input channel open', () => viewer.state.dc?.readyState === 'open', 20_000));
    const first = await ready(waitFor('the screens message', () => lastScreens(viewer.state.messages), 20_000));
    assert.deepEqual(first, {
      type: 'screens',
      monitors: [
        { id: 'sm-left', name: 'sm-left', width: 1280, height: 720, primary: true },
        { id: 'sm-right', name: 'sm-right', width: 1024, height: 600, primary: false },
      ],
      current: 'sm-left',
    });
    await ready(waitFor('frames of the left monitor', () => frameSize() === '1280x720', 20_000));
    const deviceId = control(rep.view!, activityId)!.deviceId!;

    // The customer's page is an admitted viewer too (S-3): it may watch, but not pick the monitor.
    const other = playRep(customer, activityId, cleanups);
    customer.sendSignal(activityId, deviceId, { kind: 'want' });
    await ready(waitFor("the customer's channel open", () => other.state.dc?.readyState === 'open', 20_000));
    await ready(waitFor('the screens message at the customer', () => lastScreens(other.state.messages), 20_000));
    other.state.dc!.send(JSON.stringify({ type: 'screen.select', monitorId: 'sm-right' }));
    await ready(waitFor('the refusal', () => /Monitor selection refused \("sm-right"/.test(device.stderr()), 10_000));
    // An unknown monitor, and a malformed selection, from the primary rep: refused as well.
    viewer.state.dc!.send(JSON.stringify({ type: 'screen.select', monitorId: 'no-such-monitor' }));
    viewer.state.dc!.send(JSON.stringify({ type: 'screen.select', monitorId: 42 }));
    await ready(waitFor('the second refusal', () => /Monitor selection refused \("no-such-monitor"/.test(device.stderr()), 10_000));
    assert.equal(lastScreens(viewer.state.messages)?.current, 'sm-left');
    assert.doesNotMatch(device.stderr(), /Showing monitor/);

    // The primary rep picks the right monitor: told so, frames of its size, and a click on it lands on it.
    const screensBefore = viewer.state.messages.length;
    viewer.state.dc!.send(JSON.stringify({ type: 'screen.select', monitorId: 'sm-right' }));
    await ready(waitFor('the switch announced', () => viewer.state.messages.length > screensBefore && lastScreens(viewer.state.messages)?.current === 'sm-right', 20_000));
    await ready(waitFor('frames of the right monitor', () => frameSize() === '1024x600', 20_000));
    const fileA = path.join(dir, 'right.txt');
    const a = await catTerm('sm-right-term', `40x6+${RIGHT.x + 100}+40`, fileA);
    assert.ok(a.x >= RIGHT.x, `the xterm is on the right monitor: ${JSON.stringify(a)}`);
    // Frame pixels of the right monitor: its left edge is frame x 0.
    const atA = { x: a.x - RIGHT.x + Math.round(a.w / 2), y: a.y + Math.round(a.h / 2) };
    viewer.send({ type: 'pointer.move', ...atA });
    viewer.send({ type: 'pointer.down', button: 'left', ...atA });
    viewer.send({ type: 'pointer.up', button: 'left', ...atA });
    viewer.send({ type: 'text', text: 'on the right\n' });
    await ready(waitFor('text typed on the right monitor', () => read(fileA) === 'on the right\n', 10_000)).catch(() => assert.equal(read(fileA), 'on the right\n'));

    // Screen sampling: half-size frames; a click at a position of the video lands at twice it on the monitor.
    await rep.request({ type: 'display.set', mode: 'sampling' });
    await ready(waitFor('half-size frames', () => frameSize() === '512x300', 20_000));
    const fileB = path.join(dir, 'sampled.txt');
    // Low on the monitor: the same video position taken as screen pixels (not doubled) would be far above it.
    const b = await catTerm('sm-sampled-term', `30x5+${RIGHT.x + 600}+400`, fileB);
    const atB = { x: Math.round((b.x - RIGHT.x + b.w / 2) / 2), y: Math.round((b.y + b.h / 2) / 2) };
    viewer.send({ type: 'pointer.move', ...atB });
    viewer.send({ type: 'pointer.down', button: 'left', ...atB });
    viewer.send({ type: 'pointer.up', button: 'left', ...atB });
    viewer.send({ type: 'text', text: 'sampled\n' });
    await ready(waitFor('text typed through the half-size video', () => read(fileB) === 'sampled\n', 10_000)).catch(() => assert.equal(read(fileB), 'sampled\n'));
    assert.equal(read(fileA), 'on the right\n', 'nothing went to the other xterm');

    // Back to Standard: full-size frames of the same monitor.
    await rep.request({ type: 'display.set', mode: 'standard' });
    await ready(waitFor('full-size frames again', () => frameSize() === '1024x600', 20_000));

    // A monitor plugged in: the rep's list follows.
    await setMonitors(xvfb.display, [{ name: 'sm-third', x: 0, y: 600, width: 640, height: 120 }]);
    const three = await ready(waitFor('three monitors announced', () => {
      const s = lastScreens(viewer.state.messages);
      return s && s.monitors.length === 3 ? s : null;
    }, 20_000));
    assert.equal(three.current, 'sm-right');

    customer.request({ type: 'activity.stop', activityId }).catch(() => undefined);
    await waitForView(rep, (v) => control(v, activityId)?.state === 'stopped');
    const exit = await device.exited;
    assert.equal(exit.code, 0, device.stderr());
  });
});
