/** The command line of `support-manager` (see main.ts). */

export const USAGE = 'usage: support-manager [--folder <path>] [--read-only] <support-manager://pair?server=…&code=…>\n';

export interface Args {
  url: string;
  /** The folder to share for folder access; the home folder when not given. */
  folder: string | null;
  readOnly: boolean;
}

/** The command line; a string is the usage error to print. */
export function parseArgs(argv: string[]): Args | string {
  let url: string | null = null;
  let folder: string | null = null;
  let readOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return '';
    if (a === '--read-only') readOnly = true;
    else if (a === '--folder' || a.startsWith('--folder=')) {
      const v = a === '--folder' ? argv[++i] : a.slice('--folder='.length);
      if (!v) return '--folder needs a path';
      folder = v;
    } else if (a.startsWith('-')) return `unknown option ${a}`;
    else if (url !== null) return 'only one pairing link';
    else url = a;
  }
  if (url === null) return 'a pairing link is needed';
  return { url, folder, readOnly };
}
