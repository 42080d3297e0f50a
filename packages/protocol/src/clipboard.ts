import { z } from 'zod';

/**
 * Clipboard of a control activity (issue 6): text copied on one side is sent
 * on the same ordered data channel as input (`input`), both ways, only while
 * the customer allows it.
 *
 * The text may be up to CLIPBOARD_MAX_BYTES of UTF-8 (the Support Manager
 * backend's cap), but one SCTP message in wrtc and Chromium is at most
 * 256 KiB, so a text is sent in parts of at most CLIPBOARD_CHUNK_CHARS
 * UTF-16 code units (≤ 3 bytes of UTF-8 each, so a part is ≤ 192 KiB plus the
 * JSON around it, below the limit). The channel is ordered, so parts of one
 * text arrive one after the other; the receiver joins parts 0..parts-1 of one
 * `id` and drops a text whose parts come out of order or that grows above the
 * cap. Splitting may cut a surrogate pair; the joined string is whole again.
 */

/** Largest clipboard text either way, in UTF-8 bytes (= the backend's CLIPBOARD_MAX_BYTES, 1 MiB). */
export const CLIPBOARD_MAX_BYTES = 1024 * 1024;

/** Largest part of a text in one message, in UTF-16 code units. */
export const CLIPBOARD_CHUNK_CHARS = 64 * 1024;

/** Every UTF-16 code unit is at least one UTF-8 byte, so a text within the cap has at most this many parts. */
export const CLIPBOARD_MAX_PARTS = Math.ceil(CLIPBOARD_MAX_BYTES / CLIPBOARD_CHUNK_CHARS);

export const ClipboardMessage = z
  .object({
    type: z.literal('clipboard'),
    /** Chosen by the sender, the same for every part of one text. */
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    part: z.number().int().min(0),
    parts: z.number().int().min(1).max(CLIPBOARD_MAX_PARTS),
    text: z.string().max(CLIPBOARD_CHUNK_CHARS),
  })
  .refine((m) => m.part < m.parts, { message: 'part out of range' });
export type ClipboardMessage = z.infer<typeof ClipboardMessage>;

/** UTF-8 length of a string without allocating it (works in browsers and Node). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i += 1;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The messages that carry `text`; null when it is above the cap (nothing is truncated). */
export function clipboardMessages(id: number, text: string): ClipboardMessage[] | null {
  if (utf8Bytes(text) > CLIPBOARD_MAX_BYTES) return null;
  const parts = Math.max(1, Math.ceil(text.length / CLIPBOARD_CHUNK_CHARS));
  const out: ClipboardMessage[] = [];
  for (let part = 0; part < parts; part++) {
    out.push({ type: 'clipboard', id, part, parts, text: text.slice(part * CLIPBOARD_CHUNK_CHARS, (part + 1) * CLIPBOARD_CHUNK_CHARS) });
  }
  return out;
}

/**
 * Joins the parts of texts as they arrive on an ordered channel. `add`
 * returns the whole text once its last part is in, null otherwise; a part that
 * does not follow the previous one of the same text starts over (the pieces
 * so far are dropped), and a text above the cap is dropped.
 */
export class ClipboardAssembler {
  private id = -1;
  private next = 0;
  private pieces: string[] = [];
  private bytes = 0;

  add(m: ClipboardMessage): string | null {
    if (m.part === 0) {
      this.id = m.id;
      this.next = 0;
      this.pieces = [];
      this.bytes = 0;
    }
    if (m.id !== this.id || m.part !== this.next) {
      this.reset();
      return null;
    }
    this.pieces.push(m.text);
    this.bytes += utf8Bytes(m.text);
    this.next += 1;
    if (this.bytes > CLIPBOARD_MAX_BYTES) {
      this.reset();
      return null;
    }
    if (this.next < m.parts) return null;
    const text = this.pieces.join('');
    this.reset();
    return text;
  }

  reset(): void {
    this.id = -1;
    this.next = 0;
    this.pieces = [];
    this.bytes = 0;
  }
}
