/**
 * Support Manager's folder on disk (src/folder/node-directory.ts), the
 * DirectoryHandleLike FolderHost serves for FT-2: names and links that would
 * leave the shared folder are refused and nothing outside it is touched;
 * listing shows files and folders with their sizes and dates (links inside
 * followed, links out, broken links, FIFOs and names the protocol cannot
 * carry left out); reading gives the exact bytes and refuses a file that
 * changed; writing replaces a file whole on close and leaves nothing on
 * abort. Then FolderHost and FolderClient from packages/client over it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FolderClient, FolderHost, type FolderTransport } from '@rs/client/folder';
import type { FolderMessage } from '@rs/protocol';
import { FolderAccessError, NodeDirectoryHandle } from '../src/folder/node-directory.js';

let base: string;
let rootDir: string;
let outside: string;
let root: NodeDirectoryHandle;
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
/** 2021-03-04T05:06:07.125Z: a date set on files to see it come back (.125 s: exact in the seconds utimes takes). */
const DATE_MS = Date.UTC(2021, 2, 4, 5, 6, 7, 125);

/** Every file and folder under `dir` with its content's hash, to show that nothing there changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isDirectory()) {
        out[`${rel}/`] = '';
        walk(p);
      } else if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isFile()) out[rel] = sha256(fs.readFileSync(p));
      else out[rel] = 'special'; // the FIFO: reading it would block
    }
  };
  walk(dir);
  return out;
}

/** The error a promise rejects with: a FolderAccessError's code and message. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FolderAccessError, `a FolderAccessError, got ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a refusal');
}

async function names(dir: NodeDirectoryHandle): Promise<string[]> {
  const out: string[] = [];
  for await (const h of dir.values()) out.push(`${h.name}${h.kind === 'directory' ? '/' : ''}`);
  return out.sort();
}

before(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-sm-folder-')));
  rootDir = path.join(base, 'home');
  outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(rootDir, 'Documents', 'deep'), { recursive: true });
  fs.mkdirSync(path.join(rootDir, 'Empty'));
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for the rep');
  fs.writeFileSync(path.join(rootDir, 'notes.txt'), 'hello notes\n');
  fs.writeFileSync(path.join(rootDir, 'Documents', 'letter.txt'), 'Dear rep,\n');
  fs.writeFileSync(path.join(rootDir, 'empty.bin'), '');
  fs.utimesSync(path.join(rootDir, 'notes.txt'), DATE_MS / 1000, DATE_MS / 1000);
  // Links inside the folder (followed) and out of it (never).
  fs.symlinkSync('notes.txt', path.join(rootDir, 'notes-link'));
  fs.symlinkSync('Documents', path.join(rootDir, 'docs-link'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(rootDir, 'secret-link'));
  fs.symlinkSync(outside, path.join(rootDir, 'outside-link'));
  fs.symlinkSync('..', path.join(rootDir, 'up'));
  fs.symlinkSync('../../outside', path.join(rootDir, 'Documents', 'sneaky'));
  fs.symlinkSync('nowhere', path.join(rootDir, 'broken-link'));
  // Names the protocol cannot carry (allowed on Linux), and a FIFO, which would block a read.
  fs.writeFileSync(path.join(rootDir, 'back\\slash.txt'), 'x');
  fs.writeFileSync(path.join(rootDir, 'line\nbreak.txt'), 'x');
  execFileSync('mkfifo', [path.join(rootDir, 'pipe')]);
  root = await NodeDirectoryHandle.open(rootDir);
});

after(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe('the shared folder’s bounds', () => {
  test('the root is the real path of the folder given, named by its last part; a file is not a folder', async () => {
    assert.equal(root.realPath, rootDir);
    assert.equal(root.name, 'home');
    const viaLink = await NodeDirectoryHandle.open(path.join(rootDir, 'docs-link'));
    assert.equal(viaLink.realPath, path.join(rootDir, 'Documents'));
    await assert.rejects(NodeDirectoryHandle.open(path.join(rootDir, 'notes.txt')), /not a folder/);
    await assert.rejects(NodeDirectoryHandle.open(path.join(base, 'missing')), /ENOENT/);
  });

  test('names that are not one plain path segment are refused by every operation, and nothing is touched', async () => {
    const before = { root: snapshot(rootDir), outside: snapshot(outside) };
    const bad = ['..', '.', '', '../outside', '../outside/secret.txt', 'Documents/letter.txt', '/etc/passwd', 'a\0b', '..\\outside', 'tab\there', 'x'.repeat(256)];
    for (const name of bad) {
      for (const op of [
        () => root.getDirectoryHandle(name),
        () => root.getFileHandle(name),
        () => root.getFileHandle(name, { create: true }),
        () => root.removeEntry(name),
      ]) {
        const r = await refusal(op());
        assert.equal(r.code, 'name', `${JSON.stringify(name)}: ${r.message}`);
        assert.match(r.message, /not an allowed name/);
        assert.ok(!r.message.includes(base), 'no absolute path of the customer’s in a message');
      }
    }
    assert.deepEqual({ root: snapshot(rootDir), outside: snapshot(outside) }, before);
  });

  test('links whose real path is outside the folder are refused: to a file, to a folder, to "..", from a subfolder', async () => {
    const before = snapshot(outside);
    for (const name of ['secret-link', 'outside-link', 'up']) {
      const asFile = await refusal(root.getFileHandle(name));
      assert.equal(asFile.code, 'outside', asFile.message);
      assert.match(asFile.message, /leads outside the shared folder/);
      assert.equal((await refusal(root.getFileHandle(name, { create: true }))).code, 'outside');
      assert.equal((await refusal(root.getDirectoryHandle(name))).code, 'outside');
    }
    const docs = await root.getDirectoryHandle('Documents');
    assert.equal((await refusal(docs.getDirectoryHandle('sneaky'))).code, 'outside');
    assert.equal((await refusal(docs.getFileHandle('sneaky', { create: true }))).code, 'outside');
    assert.deepEqual(snapshot(outside), before);
  });

  test('a folder replaced by a link to outside after its handle was made is refused from then on', async () => {
    const dir = path.join(rootDir, 'Moving');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    const handle = await root.getDirectoryHandle('Moving');
    const file = await handle.getFileHandle('a.txt');
    assert.deepEqual(await names(handle), ['a.txt']);
    fs.renameSync(dir, path.join(base, 'moved-away'));
    fs.symlinkSync(outside, dir);
    fs.writeFileSync(path.join(outside, 'a.txt'), 'outside a');
    try {
      assert.equal((await refusal(names(handle))).code, 'changed');
      assert.equal((await refusal(handle.getFileHandle('secret.txt'))).code, 'changed');
      assert.equal((await refusal(handle.getFileHandle('x.txt', { create: true }))).code, 'changed');
      assert.equal((await refusal(file.getFile())).code, 'changed');
      assert.equal((await refusal(file.createWritable())).code, 'changed');
      assert.equal(fs.existsSync(path.join(outside, 'x.txt')), false);
      // Through the root the name is now a link out.
      assert.equal((await refusal(root.getDirectoryHandle('Moving'))).code, 'outside');
    } finally {
      fs.unlinkSync(dir);
      fs.unlinkSync(path.join(outside, 'a.txt'));
      fs.rmSync(path.join(base, 'moved-away'), { recursive: true });
    }
  });

  test('links inside the folder are followed: a file link reads its target, a folder link lists it', async () => {
    const f = await root.getFileHandle('notes-link');
    assert.equal(f.realPath, path.join(rootDir, 'notes.txt'));
    const file = await f.getFile();
    assert.equal(new TextDecoder().decode(await file.slice(0, file.size).arrayBuffer()), 'hello notes\n');
    const d = await root.getDirectoryHandle('docs-link');
    // (Its own link out, sneaky, is left out.)
    assert.deepEqual(await names(d), ['deep/', 'letter.txt']);
  });
});

describe('listing, reading, writing', () => {
  test('listing: files and folders (links inside as what they lead to); links out, broken links, a FIFO and names the protocol cannot carry are left out', async () => {
    assert.deepEqual(await names(root), ['Documents/', 'Empty/', 'docs-link/', 'empty.bin', 'notes-link', 'notes.txt']);
  });

  test('sizes and dates come from the disk, in whole milliseconds', async () => {
    const notes = await (await root.getFileHandle('notes.txt')).getFile();
    assert.deepEqual({ name: notes.name, size: notes.size, lastModified: notes.lastModified }, { name: 'notes.txt', size: 12, lastModified: DATE_MS });
    const empty = await (await root.getFileHandle('empty.bin')).getFile();
    assert.equal(empty.size, 0);
    assert.equal(empty.lastModified, Math.trunc(fs.statSync(path.join(rootDir, 'empty.bin')).mtimeMs));
    // Before 1970 is shown as 1970: the protocol's dates are not negative.
    const old = path.join(rootDir, 'Empty', 'old.txt');
    fs.writeFileSync(old, 'old');
    // (fs.utimes takes a negative time as "now"; touch does not.)
    execFileSync('touch', ['-d', '1969-12-31 23:00:00 UTC', old]);
    assert.ok(fs.statSync(old).mtimeMs < 0);
    try {
      assert.equal((await (await (await root.getDirectoryHandle('Empty')).getFileHandle('old.txt')).getFile()).lastModified, 0);
    } finally {
      fs.unlinkSync(old);
    }
  });

  test('reading: slices are the exact bytes; a file that changed since getFile() is refused, not sent mixed', async () => {
    const bytes = crypto.randomBytes(300_000);
    const p = path.join(rootDir, 'Documents', 'data.bin');
    fs.writeFileSync(p, bytes);
    const docs = await root.getDirectoryHandle('Documents');
    const file = await (await docs.getFileHandle('data.bin')).getFile();
    assert.equal(file.size, bytes.length);
    const parts = [await file.slice(0, 70_000).arrayBuffer(), await file.slice(70_000, 300_000).arrayBuffer(), await file.slice(300_000, 400_000).arrayBuffer()];
    assert.deepEqual(parts.map((b) => b.byteLength), [70_000, 230_000, 0]);
    assert.equal(sha256(Buffer.concat(parts.map((b) => new Uint8Array(b)))), sha256(bytes));
    fs.appendFileSync(p, 'more');
    assert.equal((await refusal(file.slice(0, 10).arrayBuffer())).code, 'changed');
    fs.unlinkSync(p);
    // Folders, FIFOs and missing names are not files.
    assert.equal((await refusal(root.getFileHandle('Documents'))).code, 'not-file');
    assert.equal((await refusal(root.getFileHandle('pipe'))).code, 'not-file');
    assert.equal((await refusal(root.getFileHandle('missing.txt'))).code, 'not-found');
    assert.equal((await refusal(root.getDirectoryHandle('notes.txt'))).code, 'not-directory');
  });

  test('writing: create makes an empty file at once; close() replaces it whole; abort() leaves the old bytes and no partial file', async () => {
    const docs = await root.getDirectoryHandle('Documents');
    const created = await docs.getFileHandle('new.txt', { create: true });
    assert.equal(fs.readFileSync(path.join(rootDir, 'Documents', 'new.txt'), 'utf8'), '');
    const w = await created.createWritable();
    await w.write(new TextEncoder().encode('first '));
    await w.write(new TextEncoder().encode('version'));
    // Until close() the old (empty) file is what is there.
    assert.equal(fs.readFileSync(path.join(rootDir, 'Documents', 'new.txt'), 'utf8'), '');
    await w.close();
    assert.equal(fs.readFileSync(path.join(rootDir, 'Documents', 'new.txt'), 'utf8'), 'first version');

    fs.chmodSync(path.join(rootDir, 'Documents', 'new.txt'), 0o600);
    const again = await (await docs.getFileHandle('new.txt')).createWritable();
    await again.write(new TextEncoder().encode('half'));
    await again.abort();
    assert.equal(fs.readFileSync(path.join(rootDir, 'Documents', 'new.txt'), 'utf8'), 'first version');
    const third = await (await docs.getFileHandle('new.txt', { create: true })).createWritable();
    await third.write(new TextEncoder().encode('second version'));
    await third.close();
    assert.equal(fs.readFileSync(path.join(rootDir, 'Documents', 'new.txt'), 'utf8'), 'second version');
    assert.equal(fs.statSync(path.join(rootDir, 'Documents', 'new.txt')).mode & 0o777, 0o600, 'the file keeps its permissions');
    assert.deepEqual(
      fs.readdirSync(path.join(rootDir, 'Documents')).filter((n) => n.endsWith('.part')),
      [],
      'no partial file left behind',
    );
    // Through a link inside the folder: the target is replaced, the link stays a link.
    const link = await root.getFileHandle('notes-link', { create: true });
    const lw = await link.createWritable();
    await lw.write(new TextEncoder().encode('new notes\n'));
    await lw.close();
    assert.equal(fs.readFileSync(path.join(rootDir, 'notes.txt'), 'utf8'), 'new notes\n');
    assert.ok(fs.lstatSync(path.join(rootDir, 'notes-link')).isSymbolicLink());
    fs.utimesSync(path.join(rootDir, 'notes.txt'), DATE_MS / 1000, DATE_MS / 1000);
    fs.writeFileSync(path.join(rootDir, 'notes.txt'), 'hello notes\n');
    fs.utimesSync(path.join(rootDir, 'notes.txt'), DATE_MS / 1000, DATE_MS / 1000);
  });

  test('removeEntry removes a file or an empty folder, and a link itself rather than what it leads to', async () => {
    const docs = await root.getDirectoryHandle('Documents');
    await docs.removeEntry('new.txt');
    assert.equal(fs.existsSync(path.join(rootDir, 'Documents', 'new.txt')), false);
    await docs.removeEntry('sneaky');
    assert.equal(fs.existsSync(path.join(outside, 'secret.txt')), true, 'the outside file is still there');
    fs.symlinkSync('../../outside', path.join(rootDir, 'Documents', 'sneaky'));
    await assert.rejects(root.removeEntry('Documents'), FolderAccessError, 'a folder with files in it stays');
    fs.mkdirSync(path.join(rootDir, 'Gone'));
    await root.removeEntry('Gone');
    assert.equal(fs.existsSync(path.join(rootDir, 'Gone')), false);
  });
});

/** Two FolderTransports joined in memory (the JSON round trip and schema check as the real ones do). */
function pair(): { rep: FolderTransport; customer: FolderTransport } {
  type L = (m: FolderMessage, d?: Uint8Array) => void;
  const ls: { rep: Set<L>; customer: Set<L> } = { rep: new Set(), customer: new Set() };
  const end = (to: Set<L>, mine: Set<L>): FolderTransport => ({
    kind: 'datachannel',
    async send(msg, data) {
      const copy = JSON.parse(JSON.stringify(msg)) as FolderMessage;
      const bytes = data?.slice();
      await new Promise<void>((r) => setImmediate(r));
      for (const l of [...to]) l(copy, bytes);
    },
    onMessage(cb) {
      mine.add(cb);
      return () => mine.delete(cb);
    },
  });
  return { rep: end(ls.customer, ls.rep), customer: end(ls.rep, ls.customer) };
}

describe('FolderHost and FolderClient over the folder on disk', () => {
  test('browse with sizes and dates, download by SHA-256, upload after the customer allows it, a refusal explained, a question withdrawn when the rep gives up', async () => {
    const { rep, customer } = pair();
    const asked: { name: string; size: number; path: string[] }[] = [];
    let allow: boolean | string = true;
    const host = new FolderHost(root, customer, {
      confirmWrite: async (name, size, where) => {
        asked.push({ name, size, path: where.path });
        return allow;
      },
      onActivity: () => undefined,
    });
    const client = new FolderClient(rep);
    const cleanup: (() => void)[] = [];
    try {
      const top = await client.list([]);
      assert.equal(top.folder, 'home');
      assert.deepEqual(
        top.entries.map((e) => [e.name, e.kind, e.size ?? null]),
        [
          ['docs-link', 'directory', null],
          ['Documents', 'directory', null],
          ['Empty', 'directory', null],
          ['empty.bin', 'file', 0],
          ['notes-link', 'file', 12],
          ['notes.txt', 'file', 12],
        ],
      );
      assert.equal(top.entries.find((e) => e.name === 'notes.txt')?.modified, DATE_MS);

      const bytes = crypto.randomBytes(1_500_000);
      fs.writeFileSync(path.join(rootDir, 'Documents', 'big.bin'), bytes);
      const progress: number[] = [];
      const blob = await client.download(['Documents', 'big.bin'], { onProgress: (p) => progress.push(p.done) });
      assert.equal(sha256(new Uint8Array(await blob.arrayBuffer())), sha256(bytes));
      assert.equal(progress.at(-1), bytes.length);

      const up = crypto.randomBytes(200_000);
      await client.upload(['Documents'], Object.assign(new Blob([up]), { name: 'from-rep.bin' }));
      assert.equal(sha256(fs.readFileSync(path.join(rootDir, 'Documents', 'from-rep.bin'))), sha256(up));
      assert.deepEqual(asked, [{ name: 'from-rep.bin', size: 200_000, path: ['Documents'] }]);

      allow = 'Support Manager was started read-only.';
      await assert.rejects(client.upload([], Object.assign(new Blob([up]), { name: 'nope.bin' })), /started read-only/);
      assert.equal(fs.existsSync(path.join(rootDir, 'nope.bin')), false);

      // The rep gives up while the customer has not answered yet: the question is withdrawn, nothing is written.
      let withdrawn: () => void = () => undefined;
      const questionGone = new Promise<void>((r) => (withdrawn = r));
      let asking: () => void = () => undefined;
      const questionShown = new Promise<void>((r) => (asking = r));
      allow = true;
      const slow = new FolderHost(root, customer, {
        confirmWrite: (_name, _size, where) =>
          new Promise<boolean>((resolve) => {
            asking();
            where.signal.addEventListener('abort', () => {
              withdrawn();
              resolve(true); // a late "Allow" after that changes nothing
            });
          }),
        onActivity: () => undefined,
      });
      host.close();
      const stop = new AbortController();
      const waiting = client.upload([], Object.assign(new Blob([up]), { name: 'late.bin' }), { signal: stop.signal });
      await questionShown;
      stop.abort();
      await assert.rejects(waiting, /Stopped/);
      await questionGone;
      slow.close();
      assert.equal(fs.existsSync(path.join(rootDir, 'late.bin')), false);
      const again = new FolderHost(root, customer, { confirmWrite: async () => allow, onActivity: () => undefined });
      cleanup.push(() => again.close());

      // Errors reach the rep by name, not with the customer's paths.
      await assert.rejects(client.download(['secret-link']), (e: Error) => /leads outside the shared folder/.test(e.message) && !e.message.includes(base));
      await assert.rejects(client.list(['outside-link']), /leads outside the shared folder/);
      await assert.rejects(client.download(['missing.bin']), /“missing\.bin” is not there/);
    } finally {
      host.close();
      for (const c of cleanup) c();
      fs.rmSync(path.join(rootDir, 'Documents', 'big.bin'), { force: true });
      fs.rmSync(path.join(rootDir, 'Documents', 'from-rep.bin'), { force: true });
    }
  });
});
