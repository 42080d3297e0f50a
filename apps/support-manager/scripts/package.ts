/**
 * SM-1: builds `support-manager-linux-x64.tar.gz`, the self-contained Support
 * Manager for Linux x64 that the server offers on its Downloads page.
 *
 *   npm run package -w apps/support-manager            # → apps/support-manager/dist/
 *   node --import tsx apps/support-manager/scripts/package.ts [--out DIR] [--force] [--if-supported]
 *
 * The archive holds one folder, `support-manager-linux-x64/`:
 *   support-manager            launcher (sh): lib/node lib/support-manager.mjs "$@"
 *   install.sh, uninstall.sh   per-user install, support-manager:// handler (.desktop + xdg-mime)
 *   lib/node                   the Node runtime running this script (process.execPath)
 *   lib/support-manager.mjs    src/main.ts and its dependencies, bundled by esbuild
 *   lib/wrtc.node              @roamhq/wrtc's native module, loaded from beside the bundle
 *   licenses/                  Node's LICENSE, the bundled packages' licenses
 *   README.txt
 *
 * A build is skipped when the archive in the output folder was made from the
 * same inputs (bundle, runtime, native module, packaging files: hashed), so
 * running it again costs about a second.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { build, type Plugin } from 'esbuild';

export const ARCHIVE_NAME = 'support-manager-linux-x64.tar.gz';
/** The folder the archive unpacks to. */
export const ARCHIVE_DIR = 'support-manager-linux-x64';
/** Changes with the archive's layout, so an old archive is rebuilt. */
const LAYOUT = 1;

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(APP, '../..');
const PACKAGING = path.join(APP, 'packaging/linux');
export const DEFAULT_OUT = path.join(APP, 'dist');

export interface Manifest {
  file: string;
  size: number;
  sha256: string;
  /** Hash of everything the archive is made of; equal → the archive is up to date. */
  inputs: string;
  version: string;
  node: string;
  builtAt: string;
}

export interface BuiltArchive extends Manifest {
  path: string;
  /** True when the archive was up to date and nothing was built. */
  cached: boolean;
}

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

/**
 * @roamhq/wrtc's lib/binding.js looks for its .node file in node_modules; in
 * the archive it is next to the bundle. `__supportManagerLib` is defined by
 * the banner below.
 */
function wrtcBesideBundle(matched: { count: number }): Plugin {
  return {
    name: 'wrtc-beside-bundle',
    setup(b) {
      b.onLoad({ filter: /[\\/]@roamhq[\\/]wrtc[\\/]lib[\\/]binding\.js$/ }, () => {
        matched.count += 1;
        return { contents: "module.exports = require(require('node:path').join(__supportManagerLib, 'wrtc.node'));", loader: 'js' };
      });
    },
  };
}

// The bundle is ESM, its CommonJS dependencies (ws, x11, wrtc) call require().
const BANNER = [
  "import { createRequire as __smCreateRequire } from 'node:module';",
  "import { dirname as __smDirname } from 'node:path';",
  "import { fileURLToPath as __smFileUrlToPath } from 'node:url';",
  'const require = __smCreateRequire(import.meta.url);',
  'const __supportManagerLib = __smDirname(__smFileUrlToPath(import.meta.url));',
].join('\n');

async function bundle(): Promise<{ code: Buffer; packages: string[] }> {
  const matched = { count: 0 };
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(APP, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: 'support-manager.mjs',
    metafile: true,
    logLevel: 'error',
    banner: { js: BANNER },
    plugins: [wrtcBesideBundle(matched)],
  });
  if (matched.count !== 1) throw new Error('@roamhq/wrtc/lib/binding.js was not found in the bundle: its layout changed, see wrtcBesideBundle');
  const out = r.outputFiles[0];
  if (!out) throw new Error('esbuild wrote nothing');
  const packages = new Set<string>();
  for (const input of Object.keys(r.metafile.inputs)) {
    const i = input.lastIndexOf('node_modules/');
    if (i < 0) continue;
    const rest = input.slice(i + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name) packages.add(path.join(ROOT, input.slice(0, i), 'node_modules', name));
  }
  return { code: Buffer.from(out.contents), packages: [...packages].sort() };
}

function findWrtcNode(): string {
  const file = path.join(ROOT, 'node_modules/@roamhq/wrtc-linux-x64/wrtc.node');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: npm install puts it there (optional dependency of @roamhq/wrtc on Linux x64)`);
  return file;
}

/** Node's own license file next to the running runtime, wherever the installation put it. */
function findNodeLicense(): string {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidates = [
    process.env.NODE_LICENSE_FILE,
    path.join(prefix, 'LICENSE'), // nodejs.org tarballs, nvm
    path.join(prefix, 'share/doc/node/LICENSE'),
    path.join(prefix, 'share/doc/nodejs/LICENSE'), // NodeSource's .deb
    path.join(prefix, 'share/doc/nodejs/copyright'), // Debian's nodejs
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  throw new Error(`Node's LICENSE was not found near ${process.execPath}; the archive ships this runtime and must carry its license: set NODE_LICENSE_FILE`);
}

interface PackageLicense {
  name: string;
  version: string;
  license: string;
  text: string;
}

function packageLicense(dir: string): PackageLicense {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: string; licenses?: { type?: string }[] };
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.\w+)?$/i.test(f));
  // x11's package.json has no `license` field, only the old `licenses` array.
  const license = pkg.license ?? pkg.licenses?.map((l) => l.type).join(' OR ') ?? 'see text';
  if (!file) throw new Error(`${dir} has no LICENSE file; add its license text to the archive by hand before shipping it`);
  return { name: pkg.name ?? path.basename(dir), version: pkg.version ?? '?', license, text: fs.readFileSync(path.join(dir, file), 'utf8').trim() };
}

function thirdPartyNotices(packages: string[]): string {
  const parts = [
    'Third-party software in Support Manager for Linux (x64)',
    '',
    'lib/support-manager.mjs bundles the packages below. lib/wrtc.node is the',
    "prebuilt native module of @roamhq/wrtc (@roamhq/wrtc-linux-x64, same license as",
    "@roamhq/wrtc below); it contains Google's WebRTC library (BSD-3-Clause, see",
    'https://webrtc.googlesource.com/src/+/refs/heads/main/LICENSE).',
    'lib/node is the Node.js runtime: see node-LICENSE.txt.',
  ];
  for (const dir of packages) {
    // Workspace packages of this project are not third-party.
    if (!fs.realpathSync(dir).includes(`${path.sep}node_modules${path.sep}`)) continue;
    const l = packageLicense(dir);
    parts.push('', '='.repeat(78), `${l.name} ${l.version} (${l.license})`, '='.repeat(78), '', l.text);
  }
  return `${parts.join('\n')}\n`;
}

function readManifest(file: string): Manifest | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], stdout: 'ignore' | 'pipe'): { done: Promise<void>; stdout: NodeJS.ReadableStream | null } {
  const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
  return { done, stdout: child.stdout };
}

/** Builds the archive into `outDir` unless the one there is up to date (or `force`). */
export async function buildLinuxArchive(opts: { outDir?: string; force?: boolean; log?: (line: string) => void } = {}): Promise<BuiltArchive> {
  if (!canBuildHere()) {
    throw new Error(`the Linux x64 archive ships the running Node runtime, so it is built on Linux x64 (this is ${process.platform}-${process.arch})`);
  }
  const log = opts.log ?? (() => undefined);
  const outDir = path.resolve(opts.outDir ?? DEFAULT_OUT);
  const archive = path.join(outDir, ARCHIVE_NAME);
  const manifestFile = path.join(outDir, ARCHIVE_NAME.replace(/\.tar\.gz$/, '.json'));
  const started = performance.now();

  const { code, packages } = await bundle();
  const wrtcNode = findWrtcNode();
  const nodeLicense = fs.readFileSync(findNodeLicense(), 'utf8');
  const notices = thirdPartyNotices(packages);
  const version = (JSON.parse(fs.readFileSync(path.join(APP, 'package.json'), 'utf8')) as { version: string }).version;
  const packaging = ['support-manager', 'install.sh', 'uninstall.sh', 'README.txt'];

  const [nodeHash, wrtcHash] = await Promise.all([sha256File(process.execPath), sha256File(wrtcNode)]);
  const inputs = sha256(
    JSON.stringify({
      layout: LAYOUT,
      version,
      bundle: sha256(code),
      node: nodeHash,
      wrtc: wrtcHash,
      nodeLicense: sha256(nodeLicense),
      notices: sha256(notices),
      packaging: packaging.map((f) => sha256(fs.readFileSync(path.join(PACKAGING, f)))),
      epoch: process.env.SOURCE_DATE_EPOCH ?? null,
    }),
  );
  const previous = readManifest(manifestFile);
  if (!opts.force && previous?.inputs === inputs && fs.existsSync(archive) && fs.statSync(archive).size === previous.size) {
    // Touched, so a "sources newer than the manifest?" check (scripts/start.sh) is quiet until the next change.
    const now = new Date();
    fs.utimesSync(manifestFile, now, now);
    log(`${ARCHIVE_NAME} is up to date (${(performance.now() - started).toFixed(0)} ms)`);
    return { ...previous, path: archive, cached: true };
  }

  fs.mkdirSync(outDir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(outDir, '.stage-'));
  const tmpArchive = path.join(outDir, `.${ARCHIVE_NAME}.${process.pid}.tmp`);
  try {
    const top = path.join(stage, ARCHIVE_DIR);
    const lib = path.join(top, 'lib');
    const licenses = path.join(top, 'licenses');
    for (const d of [top, lib, licenses]) fs.mkdirSync(d, { mode: 0o755 });
    for (const f of packaging) {
      fs.copyFileSync(path.join(PACKAGING, f), path.join(top, f));
      fs.chmodSync(path.join(top, f), f === 'README.txt' ? 0o644 : 0o755);
    }
    fs.writeFileSync(path.join(lib, 'support-manager.mjs'), code, { mode: 0o644 });
    fs.writeFileSync(path.join(licenses, 'node-LICENSE.txt'), nodeLicense, { mode: 0o644 });
    fs.writeFileSync(path.join(licenses, 'THIRD-PARTY-NOTICES.txt'), notices, { mode: 0o644 });
    // The two large files (≈ 125 MB) are linked, not copied; tar --dereference stores their contents.
    fs.symlinkSync(process.execPath, path.join(lib, 'node'));
    fs.symlinkSync(wrtcNode, path.join(lib, 'wrtc.node'));

    // Same inputs, same bytes: sorted names, no owner names, and (with SOURCE_DATE_EPOCH) fixed times.
    const epoch = process.env.SOURCE_DATE_EPOCH;
    const tar = run(
      'tar',
      [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--dereference',
        ...(epoch ? [`--mtime=@${epoch}`] : []),
        '-C',
        stage,
        '-cf',
        '-',
        ARCHIVE_DIR,
      ],
      'pipe',
    );
    const hash = crypto.createHash('sha256');
    let size = 0;
    const gzip = zlib.createGzip({ level: 6 });
    gzip.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await Promise.all([pipeline(tar.stdout!, gzip, fs.createWriteStream(tmpArchive)), tar.done]);
    const manifest: Manifest = { file: ARCHIVE_NAME, size, sha256: hash.digest('hex'), inputs, version, node: process.version, builtAt: new Date().toISOString() };
    // Renamed into place: a server sending the previous archive keeps its open file, a reader never sees half a file.
    fs.renameSync(tmpArchive, archive);
    fs.writeFileSync(`${manifestFile}.${process.pid}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(`${manifestFile}.${process.pid}.tmp`, manifestFile);
    log(`${ARCHIVE_NAME}: ${(size / 1e6).toFixed(1)} MB, sha256 ${manifest.sha256}, built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { ...manifest, path: archive, cached: false };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(tmpArchive, { force: true });
  }
}

/** Where the archive can be built: it ships the running runtime, which must be Linux x64's. */
export const canBuildHere = () => process.platform === 'linux' && process.arch === 'x64';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flags = new Set(['--force', '--if-supported']);
  const outAt = args.indexOf('--out');
  const unknown = args.filter((a, i) => !flags.has(a) && a !== '--out' && !(outAt >= 0 && i === outAt + 1));
  if (unknown.length > 0 || (outAt >= 0 && !args[outAt + 1])) {
    process.stderr.write('usage: package.ts [--out DIR] [--force] [--if-supported]\n');
    process.exit(64);
  }
  // For the root build on a developer's Mac: no archive, no failure.
  if (args.includes('--if-supported') && !canBuildHere()) {
    console.log(`package: skipped, the Linux x64 archive is built on Linux x64 (this is ${process.platform}-${process.arch})`);
    process.exit(0);
  }
  buildLinuxArchive({ ...(outAt >= 0 ? { outDir: args[outAt + 1] } : {}), force: args.includes('--force'), log: (l) => console.log(l) }).then(
    (r) => console.log(r.path),
    (e: unknown) => {
      console.error(`package: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
