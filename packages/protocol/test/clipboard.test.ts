import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIPBOARD_CHUNK_CHARS, CLIPBOARD_MAX_BYTES, ClipboardAssembler, ClipboardMessage, clipboardMessages, utf8Bytes } from '../src/clipboard.js';

const roundTrip = (m: ClipboardMessage) => ClipboardMessage.parse(JSON.parse(JSON.stringify(m)));

test('utf8Bytes counts as UTF-8 does', () => {
  for (const s of ['', 'abc', 'Grüße', '日本語', '✓ 😀 x', '\ud83d']) assert.equal(utf8Bytes(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
});

test('a long text with emoji goes in parts that pass the schema and join back to the same text', () => {
  const text = 'Grüße – 日本語 😀 '.repeat(30_000);
  const parts = clipboardMessages(7, text);
  assert.ok(utf8Bytes(text) < CLIPBOARD_MAX_BYTES && parts && parts.length > 1);
  assert.ok(parts.every((p) => p.text.length <= CLIPBOARD_CHUNK_CHARS));
  const a = new ClipboardAssembler();
  const out = parts.map((p) => a.add(roundTrip(p)));
  assert.deepEqual(out.slice(0, -1), parts.slice(0, -1).map(() => null));
  assert.equal(out.at(-1), text);
});

test('an empty text is one empty part; a text over the cap is refused whole, never cut', () => {
  const empty = clipboardMessages(1, '');
  assert.deepEqual(empty, [{ type: 'clipboard', id: 1, part: 0, parts: 1, text: '' }]);
  assert.equal(new ClipboardAssembler().add(empty![0]!), '');
  assert.equal(clipboardMessages(2, 'é'.repeat(CLIPBOARD_MAX_BYTES / 2 + 1)), null);
});

test('a part out of order drops the text; the next whole text still arrives', () => {
  const a = new ClipboardAssembler();
  const first = clipboardMessages(1, 'x'.repeat(CLIPBOARD_CHUNK_CHARS * 2 + 1))!;
  assert.equal(a.add(first[0]!), null);
  assert.equal(a.add(first[2]!), null, 'part 1 was lost');
  assert.equal(a.add(first[1]!), null, 'the rest of that text is not taken');
  const second = clipboardMessages(2, 'hello')!;
  assert.equal(a.add(second[0]!), 'hello');
});

test('the schema refuses a part outside its text and an oversized part', () => {
  assert.equal(ClipboardMessage.safeParse({ type: 'clipboard', id: 1, part: 2, parts: 2, text: '' }).success, false);
  assert.equal(ClipboardMessage.safeParse({ type: 'clipboard', id: 1, part: 0, parts: 1, text: 'x'.repeat(CLIPBOARD_CHUNK_CHARS + 1) }).success, false);
});
