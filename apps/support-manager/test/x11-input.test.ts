/**
 * The X11 backend's input under a real Xvfb: text typed as characters (also
 * ones the US keymap lacks, also with Caps Lock on) reaches an xterm exactly,
 * clicks and the wheel land where they were aimed, input into a shared window
 * is confined to it, and nothing is injected after stop().
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AppWindow } from '../src/backend/input.js';
import { X11Backend } from '../src/backend/x11/backend.js';
import { XConn, type XkbExt } from '../src/backend/x11/connection.js';
import { openProbe } from './support/probe-window.js';
import { sleep, startXvfb, waitFor, type RunningXvfb } from './support/xvfb.js';

let xvfb: RunningXvfb;
let backend: X11Backend;
let dir: string;

before(async () => {
  xvfb = await startXvfb();
  backend = await X11Backend.connect({ display: xvfb.display });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-sm-input-'));
});
after(async () => {
  await backend?.close();
  await xvfb?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');

/** An xterm whose shell copies what is typed into `file`, found by its title. */
async function catXterm(title: string, file: string, geometry: string): Promise<AppWindow> {
  xvfb.run('xterm', ['-T', title, '-u8', '-geometry', geometry, '-e', 'sh', '-c', `exec cat > '${file}'`]);
  const w = await waitFor(`the xterm "${title}"`, async () => (await backend.windows()).find((x) => x.title === title));
  await waitFor(`cat writing ${file}`, () => fs.existsSync(file));
  return w;
}

async function mouseLocation(): Promise<{ x: number; y: number }> {
  const out = await xvfb.exec('xdotool', ['getmouselocation', '--shell']);
  const x = /X=(\d+)/.exec(out);
  const y = /Y=(\d+)/.exec(out);
  return { x: Number(x?.[1]), y: Number(y?.[1]) };
}

async function keyboardState(): Promise<{ mods: number; lockedMods: number }> {
  const conn = await XConn.connect(xvfb.display);
  try {
    const xkb = (await conn.ext<XkbExt>('xkb'))!;
    return await new Promise((resolve, reject) => xkb.GetState(xkb.UseCoreKbd, (err, st) => (err ? reject(err) : resolve(st), true)));
  } finally {
    await conn.close();
  }
}

async function keymapRows(keycodes: number[]): Promise<number[][]> {
  const conn = await XConn.connect(xvfb.display);
  try {
    const rows = await conn.keyboardMapping();
    return keycodes.map((kc) => rows[kc - conn.display.min_keycode]!);
  } finally {
    await conn.close();
  }
}

describe('X11 backend: input', () => {
  test('windows() finds an xterm by its title', async () => {
    const file = path.join(dir, 'list.txt');
    const w = await catXterm('sm-list', file, '40x5+600+500');
    assert.equal(w.app, 'XTerm');
    assert.ok(w.width > 100 && w.height > 30, JSON.stringify(w));
    assert.match(w.id, /^0x[0-9a-f]+$/);
  });

  test('text arrives as the same characters, also ones the keymap lacks and with Caps Lock on', { timeout: 60_000 }, async () => {
    const file = path.join(dir, 'typed.txt');
    const w = await catXterm('sm-type', file, '60x8+20+20');
    const session = await backend.startCapture({ kind: 'window', id: w.id }, () => {});
    try {
      const { width, height } = session.frameSize();
      assert.equal(await session.input({ type: 'pointer.down', button: 'left', x: width / 2, y: height / 2 }), 'delivered');
      assert.equal(await session.input({ type: 'pointer.up', button: 'left', x: width / 2, y: height / 2 }), 'delivered');
      assert.equal(await session.input({ type: 'text', text: 'héllo wörld €!' }), 'delivered');
      assert.equal(await session.input({ type: 'key.down', code: 'Enter' }), 'delivered');
      assert.equal(await session.input({ type: 'key.up', code: 'Enter' }), 'delivered');
      await waitFor('the typed line in the file', () => read(file) === 'héllo wörld €!\n', 5000).catch(() => {
        assert.equal(read(file), 'héllo wörld €!\n');
      });

      // é, ö and € are not on the US keymap: spare keycodes were bound for them, and are unbound after a second idle
      const bound = backend.boundKeycodes();
      assert.equal(bound.length, 3, `bound keycodes: ${bound}`);
      await waitFor('the spare keycodes unbound', () => backend.boundKeycodes().length === 0, 5000);
      for (const row of await keymapRows(bound)) assert.ok(row.every((k) => k === 0), `restored row ${row}`);

      // Caps Lock on: still exactly these characters, and Caps Lock is still on afterwards
      await xvfb.exec('xdotool', ['key', 'Caps_Lock']);
      assert.equal((await keyboardState()).lockedMods & 2, 2, 'Caps Lock is on');
      assert.equal(await session.input({ type: 'text', text: 'Abc ß Ж\n' }), 'delivered');
      await waitFor('the second line', () => read(file) === 'héllo wörld €!\nAbc ß Ж\n', 5000).catch(() => {
        assert.equal(read(file), 'héllo wörld €!\nAbc ß Ж\n');
      });
      assert.equal((await keyboardState()).lockedMods & 2, 2, 'Caps Lock is still on');
      await xvfb.exec('xdotool', ['key', 'Caps_Lock']);
    } finally {
      await session.stop();
    }
  });

  test('a click lands at the aimed point and the wheel scrolls by notches', async () => {
    const probe = await openProbe(xvfb.display, { x: 300, y: 200, width: 200, height: 150, rgb: 0x3366cc });
    const [monitor] = await backend.monitors();
    const session = await backend.startCapture({ kind: 'monitor', id: monitor!.id }, () => {});
    try {
      assert.equal(await session.input({ type: 'pointer.move', x: 350.4, y: 259.6 }), 'delivered');
      assert.deepEqual(await mouseLocation(), { x: 350, y: 260 });
      await session.input({ type: 'pointer.down', button: 'left', x: 351, y: 261 });
      await session.input({ type: 'pointer.up', button: 'left', x: 351, y: 261 });
      await session.input({ type: 'pointer.down', button: 'right', x: 360, y: 270 });
      await session.input({ type: 'pointer.up', button: 'right', x: 360, y: 270 });
      await session.input({ type: 'pointer.wheel', x: 400, y: 300, dx: 0, dy: 2 });
      await session.input({ type: 'pointer.wheel', x: 400, y: 300, dx: 1, dy: -1 });
      await probe.sync();
      const presses = () => probe.events.filter((e) => e.name === 'ButtonPress').map((e) => [e.keycode, e.x, e.y]);
      await waitFor('the button presses', () => presses().length === 6);
      assert.deepEqual(presses(), [
        [1, 51, 61],
        [3, 60, 70],
        [5, 100, 100],
        [5, 100, 100],
        [4, 100, 100],
        [7, 100, 100],
      ]);
      assert.equal(await session.input({ type: 'pointer.up', button: 'middle', x: 1, y: 1 }), 'not-pressed');
    } finally {
      await session.stop();
      await probe.close();
    }
  });

  test('input into a shared window is confined to it', { timeout: 60_000 }, async () => {
    const fileA = path.join(dir, 'a.txt');
    const fileB = path.join(dir, 'b.txt');
    const a = await catXterm('sm-a', fileA, '50x10+40+300');
    const b = await catXterm('sm-b', fileB, '50x10+700+300');
    // another application's window over the right part of A
    const cover = await openProbe(xvfb.display, { x: a.x + a.width - 60, y: a.y - 20, width: 200, height: a.height + 40, rgb: 0xff0000 });
    const session = await backend.startCapture({ kind: 'window', id: a.id }, () => {});
    try {
      await xvfb.exec('xdotool', ['mousemove', String(b.x + 20), String(b.y + 20)]);
      const start = await mouseLocation();
      assert.equal(await session.input({ type: 'pointer.move', x: -5, y: 10 }), 'outside');
      assert.equal(await session.input({ type: 'pointer.move', x: a.width + 100, y: 10 }), 'outside');
      assert.equal(await session.input({ type: 'pointer.down', button: 'left', x: 20, y: a.height + 5 }), 'outside');
      assert.equal(await session.input({ type: 'pointer.down', button: 'left', x: a.width - 30, y: 20 }), 'covered');
      assert.equal(await session.input({ type: 'pointer.wheel', x: a.width - 30, y: 20, dx: 0, dy: 1 }), 'covered');
      assert.deepEqual(await mouseLocation(), start, 'the pointer did not move');
      await cover.sync();
      assert.deepEqual(cover.events.filter((e) => e.name === 'ButtonPress'), [], 'the covering window got no click');

      // the customer's pointer is over B (focus follows the pointer without a window manager): keys are refused
      assert.equal(await session.input({ type: 'text', text: 'nope\n' }), 'not-focused');
      assert.equal(await session.input({ type: 'key.down', code: 'Enter' }), 'not-focused');
      // the customer focused B explicitly: still refused
      await xvfb.exec('xdotool', ['windowfocus', '--sync', b.id]);
      assert.equal(await session.input({ type: 'text', text: 'nope\n' }), 'not-focused');

      // a click into A gives A the focus; then typing goes to A only
      assert.equal(await session.input({ type: 'pointer.down', button: 'left', x: 30, y: 30 }), 'delivered');
      assert.equal(await session.input({ type: 'pointer.up', button: 'left', x: 30, y: 30 }), 'delivered');
      assert.equal(await session.input({ type: 'text', text: 'ok\n' }), 'delivered');
      await waitFor('the text in A', () => read(fileA) === 'ok\n', 5000);
      await sleep(200);
      assert.equal(read(fileB), '', 'nothing reached B');
      const stats = session.stats();
      assert.equal(stats.inputDropped, 8);
    } finally {
      await session.stop();
      await cover.close();
    }
  });

  test('after stop() no input is injected; held keys were released by stop()', async () => {
    const file = path.join(dir, 'stop.txt');
    const w = await catXterm('sm-stop', file, '40x6+500+40');
    const session = await backend.startCapture({ kind: 'window', id: w.id }, () => {});
    await session.input({ type: 'pointer.down', button: 'left', x: 20, y: 20 });
    await session.input({ type: 'pointer.up', button: 'left', x: 20, y: 20 });
    await session.input({ type: 'text', text: 'before\n' });
    await waitFor('the text before stop', () => read(file) === 'before\n', 5000);
    assert.equal(await session.input({ type: 'key.down', code: 'ShiftLeft' }), 'delivered');
    assert.equal((await keyboardState()).mods & 1, 1, 'Shift is held');

    await session.stop();
    assert.equal((await keyboardState()).mods & 1, 0, 'stop() released Shift');
    const injected = backend.counters.injected;
    const where = await mouseLocation();
    await assert.rejects(session.input({ type: 'text', text: 'after\n' }), { name: 'BackendStoppedError' });
    await assert.rejects(session.input({ type: 'key.down', code: 'Enter' }), { name: 'BackendStoppedError' });
    await assert.rejects(session.input({ type: 'pointer.move', x: 5, y: 5 }), { name: 'BackendStoppedError' });
    await assert.rejects(session.input({ type: 'pointer.down', button: 'left', x: 5, y: 5 }), { name: 'BackendStoppedError' });
    await sleep(500);
    assert.equal(backend.counters.injected, injected, 'nothing injected after stop');
    assert.equal(read(file), 'before\n');
    assert.deepEqual(await mouseLocation(), where);
  });

  test('a stop() while input is queued: what was not injected before stop never is', async () => {
    const file = path.join(dir, 'race.txt');
    const w = await catXterm('sm-race', file, '40x6+500+400');
    const session = await backend.startCapture({ kind: 'window', id: w.id }, () => {});
    await session.input({ type: 'pointer.down', button: 'left', x: 20, y: 20 });
    await session.input({ type: 'pointer.up', button: 'left', x: 20, y: 20 });
    const queued = Array.from({ length: 20 }, (_, i) => session.input({ type: 'text', text: `line ${i}\n` }));
    const stopped = session.stop();
    const outcomes = await Promise.allSettled(queued);
    await stopped;
    const injected = backend.counters.injected;
    await sleep(500);
    assert.equal(backend.counters.injected, injected);
    const delivered = outcomes.filter((o) => o.status === 'fulfilled').length;
    for (const o of outcomes.slice(delivered)) assert.equal(o.status === 'rejected' && (o.reason as Error).name, 'BackendStoppedError');
    assert.ok(delivered < 20, `some input was refused (${delivered} delivered)`);
    const expected = Array.from({ length: delivered }, (_, i) => `line ${i}\n`).join('');
    await sleep(300);
    assert.equal(read(file), expected);
  });

  test('close() ends sessions and leaves the keymap as it found it', async () => {
    const file = path.join(dir, 'close.txt');
    const w = await catXterm('sm-close', file, '40x6+20+600');
    let ended: string | null = null;
    const session = await backend.startCapture({ kind: 'window', id: w.id }, () => {}, { onEnded: (r) => (ended = r) });
    await session.input({ type: 'pointer.down', button: 'left', x: 20, y: 20 });
    await session.input({ type: 'pointer.up', button: 'left', x: 20, y: 20 });
    await session.input({ type: 'text', text: 'ñ\n' });
    await waitFor('ñ typed', () => read(file) === 'ñ\n', 5000);
    const bound = backend.boundKeycodes();
    assert.equal(bound.length, 1);
    await backend.close();
    assert.equal(ended, 'backend-closed');
    assert.equal(session.active, false);
    for (const row of await keymapRows(bound)) assert.ok(row.every((k) => k === 0), `restored row ${row}`);
    await assert.rejects(backend.monitors(), /closed/);
  });
});
