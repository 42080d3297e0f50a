/**
 * Makes an uploaded file name safe to store, list and send back in a
 * Content-Disposition header: no path, no control characters, no names that
 * Windows reserves, a sane length.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function sanitizeFileName(input: string): string {
  // Only the last path segment counts: "../../x" and "C:\\a\\b" become "x" and "b".
  let name = input.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/[<>:"|?*]/g, '_');
  name = name.normalize('NFC').trim().replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (RESERVED.test(name)) name = `_${name}`;
  if (name.length > 200) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, 200 - ext.length) + ext;
  }
  return name || 'file';
}

/** RFC 6266 / 5987 attachment header with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
