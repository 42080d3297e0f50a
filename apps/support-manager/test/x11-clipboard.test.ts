/**
 * The X11 clipboard under a real Xvfb, with xclip as the other application:
 * what we write is what xclip pastes and what xclip copies is what we read
 * (non-ASCII, large values in INCR pieces both ways, the STRING fallback),
 * an empty or non-text clipboard reads as null, text over the cap is refused
 * both ways, onChange reports other applications' copies (XFIXES, and the
 * polling fallback) without echoing our own writes, and after close() our
 * ownership is gone.
 *
 * xclip is only the independent peer of the test; the program itself speaks
 * the selection protocol. Install it with: bash scripts/ensure-system-deps.sh xclip
 *
 * Synchronisation is by X events (a second connection watching the CLIPBOARD
 * owner through XFIXES) and by xclip's exit, never by sleeping.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { XEvent } from 'x11';
import { ClipboardClosedError, ClipboardTimeoutError, ClipboardTooLargeError, CLIPBOARD_MAX_BYTES } from '../src/backend/types.js';
import { X11Backend } from '../src/backend/x11/backend.js';
import type { X11Clipboard, XFixesExt } from '../src/backend/x11/clipboard.js';
import { X, XConn } from '../src/backend/x11/connection.js';
import { startXvfb, type RunningXvfb } from './support/xvfb.js';

const XCLIP = '/usr/bin/xclip';
const TEXT = 'Grüße – 日本語 ✓';

let xvfb: RunningXvfb;
let backend: X11Backend;
let watch: OwnerWatch;
const peers = new Set<ChildProcess>();

before(async () => {
  if (!fs.existsSync(XCLIP)) throw new Error(`missing ${XCLIP}: bash scripts/ensure-system-deps.sh xclip`);
  xvfb = await startXvfb();
  backend = await X11Backend.connect({ display: xvfb.display });
  watch = await OwnerWatch.open(xvfb.display);
});
after(async () => {
  for (const p of peers) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await watch?.close();
  await backend?.close();
  await xvfb?.stop();
});

/**
 * Another X client that sees every change of the CLIPBOARD owner (XFIXES) and
 * can take the clipboard itself: without ever answering (an application that
 * hangs), or offering STRING only (an old application).
 */
class OwnerWatch {
  private readonly waiters: Array<{ match: (owner: number) => boolean; resolve: (owner: number) => void }> = [];
  /** While set, SelectionRequests are answered with this as STRING and refused for any other target. */
  private stringOnly: Buffer | null = null;
  /** Names of the targets asked for while serving STRING only. */
  readonly asked: string[] = [];

  private constructor(
    private readonly conn: XConn,
    private readonly win: number,
    private readonly clipboardAtom: number,
  ) {}

  static async open(display: string): Promise<OwnerWatch> {
    const conn = await XConn.connect(display);
    const fixes = await conn.ext<XFixesExt>('fixes');
    assert.ok(fixes, 'XFIXES on Xvfb');
    const clipboardAtom = await conn.atom('CLIPBOARD');
    const win = conn.client.AllocID();
    conn.client.CreateWindow(win, conn.root, 0, 0, 1, 1, 0, 0, 2, 0, {});
    fixes.SelectSelectionInput(win, clipboardAtom, 1 | 2 | 4);
    const w = new OwnerWatch(conn, win, clipboardAtom);
    conn.onEvent((ev: XEvent) => {
      if (ev.name === 'SelectionRequest' && ev.owner === win) void w.answer(ev);
      if (ev.type !== fixes.firstEvent || ev.selection !== clipboardAtom) return;
      const owner = ev.owner as number;
      for (const x of [...w.waiters]) {
        if (!x.match(owner)) continue;
        w.waiters.splice(w.waiters.indexOf(x), 1);
        x.resolve(owner);
      }
    });
    await conn.sync();
    return w;
  }

  /**
   * The next owner change that matches; call before causing it, and after
   * `flush()` when an owner change was just made elsewhere.
   */
  next(match: (owner: number) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Every owner change the server made before this has been delivered here (a round trip; events come before the reply). */
  flush(): Promise<void> {
    return this.conn.sync();
  }

  owner(): Promise<number> {
    return this.conn.call<number>((cb) => this.conn.client.GetSelectionOwner(this.clipboardAtom, cb));
  }

  /** Owns the clipboard and never answers a request. */
  async takeSilently(): Promise<void> {
    this.stringOnly = null;
    await this.take();
  }

  private async take(): Promise<void> {
    this.conn.client.SetSelectionOwner(this.win, this.clipboardAtom, 0);
    assert.equal(await this.owner(), this.win);
  }

  /** Owns the clipboard and offers `latin1` as STRING, nothing else. */
  async serveStringOnly(latin1: Buffer): Promise<void> {
    this.stringOnly = latin1;
    this.asked.length = 0;
    await this.take();
  }

  private async answer(ev: XEvent): Promise<void> {
    const data = this.stringOnly;
    if (!data) return;
    const requestor = ev.requestor as number;
    const target = ev.target as number;
    const property = ev.property as number;
    this.asked.push(await this.conn.atomName(target));
    const ok = target === 31; // STRING
    if (ok) this.conn.client.ChangeProperty(0, requestor, property, 31, 8, data);
    this.conn.client.SendEvent(requestor, 0, 0, { name: 'SelectionNotify', time: ev.time, requestor, selection: ev.selection, target, property: ok ? property : X.None });
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** xclip copies `data` and keeps serving it until another client takes the clipboard; resolves once it owns the clipboard. */
async function xclipCopy(data: Buffer | string, target?: string): Promise<ChildProcess> {
  const args = ['-selection', 'clipboard', '-quiet', '-i', ...(target ? ['-t', target] : [])];
  // so that a change just made by one of ours is not taken for xclip's
  await watch.flush();
  const owned = watch.next((o) => o !== X.None);
  const p = spawn(XCLIP, args, { env: xvfb.env, stdio: ['pipe', 'ignore', 'ignore'] });
  peers.add(p);
  p.once('exit', () => peers.delete(p));
  p.stdin!.end(data);
  await owned;
  return p;
}

/** xclip pastes (prints the clipboard as `target`, default UTF8_STRING); resolves at its exit. */
function xclipPaste(target?: string): Promise<{ code: number | null; out: Buffer; err: string }> {
  const args = ['-selection', 'clipboard', '-o', ...(target ? ['-t', target] : [])];
  const p = spawn(XCLIP, args, { env: xvfb.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  p.stdout!.on('data', (d: Buffer) => out.push(d));
  p.stderr!.on('data', (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
  });
}

/** Collects what onChange reports, texts and errors in order; `next()` waits for the next one. */
function reports(clip: X11Clipboard) {
  const items: Array<string | Error> = [];
  let wake: (() => void) | null = null;
  const add = (x: string | Error) => {
    items.push(x);
    wake?.();
  };
  const unsubscribe = clip.onChange(add, add);
  let taken = 0;
  return {
    items,
    unsubscribe,
    async next(): Promise<string | Error> {
      while (items.length <= taken) await new Promise<void>((r) => (wake = r));
      return items[taken++]!;
    },
  };
}

describe('X11 backend: clipboard', () => {
  test('an empty clipboard reads as null; changes come from XFIXES', async () => {
    const clip = await backend.openClipboard();
    try {
      assert.equal(await watch.owner(), X.None);
      assert.equal(await clip.read(), null);
      assert.equal(clip.changeDetection, 'events');
      assert.equal(clip.maxBytes, CLIPBOARD_MAX_BYTES);
    } finally {
      await clip.close();
    }
  });

  test('what we write is what a real X client pastes (UTF-8, TARGETS, STRING as Latin-1, empty text)', async () => {
    const clip = await backend.openClipboard();
    try {
      await clip.write(TEXT);
      const utf8 = await xclipPaste();
      assert.equal(utf8.code, 0, utf8.err);
      assert.equal(utf8.out.toString('utf8'), TEXT);

      const targets = await xclipPaste('TARGETS');
      assert.deepEqual(targets.out.toString().trim().split('\n').sort(), ['STRING', 'TARGETS', 'TEXT', 'TIMESTAMP', 'UTF8_STRING', 'text/plain;charset=utf-8']);
      assert.equal((await xclipPaste('text/plain;charset=utf-8')).out.toString('utf8'), TEXT);
      // STRING is ISO 8859-1: what it lacks becomes '?'
      assert.equal((await xclipPaste('STRING')).out.toString('latin1'), 'Grüße ? ??? ?');
      const refused = await xclipPaste('image/png');
      assert.notEqual(refused.code, 0, 'a target we do not offer is refused');
      assert.ok(clip.counters.requestsRefused >= 1);

      // reading back what we own needs no conversion
      assert.equal(await clip.read(), TEXT);

      await clip.write('');
      const empty = await xclipPaste();
      assert.equal(empty.code, 0, empty.err);
      assert.equal(empty.out.length, 0);
      assert.equal(await clip.read(), '');
    } finally {
      await clip.close();
    }
  });

  test("a real X client's copy is what we read (UTF-8, STRING as Latin-1, non-text → null)", async () => {
    const clip = await backend.openClipboard();
    try {
      const peer = await xclipCopy(TEXT);
      assert.equal(await clip.read(), TEXT);

      // xclip with -t STRING answers every target with type STRING: Latin-1
      const exited = new Promise((r) => peer.once('exit', r));
      await xclipCopy(Buffer.from('Grüße, Ærø', 'latin1'), 'STRING');
      await exited; // the first xclip lost the clipboard and ended
      assert.equal(await clip.read(), 'Grüße, Ærø');

      // an owner that refuses UTF8_STRING and offers STRING: the fallback
      await watch.serveStringOnly(Buffer.from('Straße', 'latin1'));
      assert.equal(await clip.read(), 'Straße');
      assert.deepEqual(watch.asked, ['UTF8_STRING', 'STRING']);

      await xclipCopy(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png');
      assert.equal(await clip.read(), null);
    } finally {
      await clip.close();
    }
  });

  test('large text goes in INCR pieces both ways; over the cap it is refused both ways', { timeout: 60_000 }, async () => {
    const clip = await backend.openClipboard();
    const roomy = await backend.openClipboard({ maxBytes: 4 * 1024 * 1024 });
    const small = await backend.openClipboard({ maxBytes: 1000 });
    try {
      // ours → xclip: 600 KiB, more than one ChangeProperty can carry
      const big = 'Grüße ✓ '.repeat(60_000).slice(0, 600 * 1024);
      await clip.write(big);
      const pasted = await xclipPaste();
      assert.equal(pasted.code, 0, pasted.err);
      assert.equal(pasted.out.toString('utf8'), big);
      assert.equal(clip.counters.incrSent, 1);

      // xclip → us: 3 MiB, which xclip sends in INCR pieces
      const huge = Buffer.alloc(3 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz\n');
      await xclipCopy(huge);
      const got = await roomy.read();
      assert.equal(got?.length, huge.length);
      assert.ok(got === huge.toString('latin1'), 'the 3 MiB arrive intact');
      assert.equal(roomy.counters.incrReceived, 1);

      // the same over the default 1 MiB cap: refused with the size, and the
      // transfer is still completed, so the owner keeps serving others
      await assert.rejects(clip.read(), (e: unknown) => e instanceof ClipboardTooLargeError && e.bytes === huge.length && e.maxBytes === CLIPBOARD_MAX_BYTES);
      assert.equal((await roomy.read())?.length, huge.length);

      // over a small cap without INCR
      await xclipCopy('x'.repeat(5000));
      await assert.rejects(small.read(), (e: unknown) => e instanceof ClipboardTooLargeError && e.bytes === 5000 && e.maxBytes === 1000);
      assert.equal(await roomy.read(), 'x'.repeat(5000));

      // writes over the cap are refused (counted in UTF-8 bytes) and change nothing
      const owner = await watch.owner();
      await assert.rejects(clip.write('ü'.repeat(CLIPBOARD_MAX_BYTES / 2 + 1)), (e: unknown) => e instanceof ClipboardTooLargeError && e.bytes === CLIPBOARD_MAX_BYTES + 2);
      await assert.rejects(small.write('y'.repeat(1001)), ClipboardTooLargeError);
      assert.equal(await watch.owner(), owner);
      await small.write('y'.repeat(1000));
      assert.equal((await xclipPaste()).out.toString(), 'y'.repeat(1000));
    } finally {
      await Promise.all([clip.close(), roomy.close(), small.close()]);
    }
  });

  test('onChange reports other applications\u2019 copies, not our own writes, and not the same text twice', async () => {
    const clip = await backend.openClipboard();
    try {
      const r = reports(clip);
      await clip.write('ours');
      await xclipCopy('first ü');
      // the write came before; had it been echoed, it would be the first report
      assert.equal(await r.next(), 'first ü');
      await xclipCopy('first ü');
      await xclipCopy(TEXT);
      assert.equal(await r.next(), TEXT);
      assert.deepEqual(r.items, ['first ü', TEXT]);

      // a copy over the cap is reported as an error
      await xclipCopy(Buffer.alloc(CLIPBOARD_MAX_BYTES + 1, 'z'));
      const e = await r.next();
      assert.ok(e instanceof ClipboardTooLargeError, String(e));

      r.unsubscribe();
      assert.equal(await clip.read().catch((x: Error) => x.name), 'ClipboardTooLargeError');
    } finally {
      await clip.close();
    }
  });

  test('without XFIXES the owner is polled, and onChange still fires', async () => {
    const clip = await backend.openClipboard({ xfixes: false, pollMs: 50 });
    try {
      assert.equal(clip.changeDetection, 'poll');
      const r = reports(clip);
      await xclipCopy('polled ✓');
      assert.equal(await r.next(), 'polled ✓');
    } finally {
      await clip.close();
    }
  });

  test('an owner that never answers: the read times out, the next read works', async () => {
    const clip = await backend.openClipboard({ timeoutMs: 300 });
    try {
      await watch.takeSilently();
      await assert.rejects(clip.read(), ClipboardTimeoutError);
      await xclipCopy('answered');
      assert.equal(await clip.read(), 'answered');
    } finally {
      await clip.close();
    }
  });

  test('after close() our ownership is gone and nothing more is read', async () => {
    const clip = await backend.openClipboard();
    await clip.write(TEXT);
    assert.equal((await xclipPaste()).out.toString('utf8'), TEXT);
    await watch.flush();
    const gone = watch.next((o) => o === X.None);
    await clip.close();
    assert.equal(await watch.owner(), X.None);
    await gone;
    const paste = await xclipPaste();
    assert.notEqual(paste.code, 0, 'nothing to paste');
    assert.equal(paste.out.length, 0);
    await assert.rejects(clip.read(), ClipboardClosedError);
    await assert.rejects(clip.write('x'), ClipboardClosedError);
    assert.throws(() => clip.onChange(() => {}), ClipboardClosedError);
    await clip.close(); // idempotent

    // closing after another application took over leaves theirs alone
    const other = await backend.openClipboard();
    await other.write('mine for now');
    await xclipCopy('theirs');
    await other.close();
    assert.equal((await xclipPaste()).out.toString(), 'theirs');
  });

  test('Backend.close() closes open clipboards and gives the clipboard up', async () => {
    const b = await X11Backend.connect({ display: xvfb.display });
    const clip = await b.openClipboard();
    await clip.write('until the backend closes');
    assert.notEqual(await watch.owner(), X.None);
    await b.close();
    assert.equal(await watch.owner(), X.None);
    await assert.rejects(clip.read(), ClipboardClosedError);
    await assert.rejects(b.openClipboard(), /closed/);
  });
});
