/**
 * Builds the website snippet: one minified IIFE without dependencies.
 * `npm run build -w packages/cobrowse` (run by the root `npm run build` after
 * the web app's vite build, which empties apps/web/dist) writes
 * apps/web/dist/embed/help.js, served by the server at /embed/help.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const PKG = path.dirname(fileURLToPath(import.meta.url));

export const HELP_SCRIPT_ENTRY = path.join(PKG, 'src/help-button/index.ts');
export const HELP_SCRIPT_OUT = path.resolve(PKG, '../../apps/web/dist/embed/help.js');
/** What the snippet may weigh, minified (not gzipped). */
export const HELP_SCRIPT_BUDGET = 10 * 1024;

/** Writes the snippet to `outfile` and answers its size in bytes. */
export async function buildHelpScript(outfile: string = HELP_SCRIPT_OUT): Promise<number> {
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    entryPoints: [HELP_SCRIPT_ENTRY],
    outfile,
    bundle: true,
    format: 'iife',
    target: 'es2019',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    // ASCII output (\u escapes): the page that loads the script decides its encoding otherwise.
    logLevel: 'warning',
  });
  return fs.statSync(outfile).size;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : HELP_SCRIPT_OUT;
  const bytes = await buildHelpScript(out);
  console.log(`${out === HELP_SCRIPT_OUT ? 'apps/web/dist/embed/help.js' : out}  ${(bytes / 1024).toFixed(1)} kB`);
  if (bytes > HELP_SCRIPT_BUDGET) {
    console.error(`the help snippet is larger than its budget of ${HELP_SCRIPT_BUDGET} bytes`);
    process.exitCode = 1;
  }
}
