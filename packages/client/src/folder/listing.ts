import { FOLDER_PAGE_BYTES, FOLDER_PAGE_ENTRIES, type FolderEntry } from '@rs/protocol';

/**
 * Bytes of a string in UTF-8, counted from its UTF-16 units (a surrogate
 * pair as 2 × 2 bytes; JSON.stringify leaves no lone surrogate unescaped).
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

/**
 * Splits a listing into the pages of the `entries` message: at most
 * FOLDER_PAGE_ENTRIES entries each, and a new page before the entries' JSON
 * (with the commas between them) would pass FOLDER_PAGE_BYTES. An empty
 * folder is one empty page.
 */
export function folderPages(entries: readonly FolderEntry[], limits = { entries: FOLDER_PAGE_ENTRIES, bytes: FOLDER_PAGE_BYTES }): FolderEntry[][] {
  const pages: FolderEntry[][] = [[]];
  let bytes = 0;
  for (const e of entries) {
    const size = utf8Length(JSON.stringify(e)) + 1;
    let page = pages[pages.length - 1]!;
    if (page.length > 0 && (page.length >= limits.entries || bytes + size > limits.bytes)) {
      page = [];
      pages.push(page);
      bytes = 0;
    }
    page.push(e);
    bytes += size;
  }
  return pages;
}
