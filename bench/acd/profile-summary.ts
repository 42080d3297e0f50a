/**
 * Summarizes a V8 .cpuprofile (from PROFILE=<dir>, see README.md): where the
 * server's one JavaScript thread spent the drain.
 *
 *   node --import tsx bench/acd/profile-summary.ts <file.cpuprofile> [TOP=25]
 *
 * Prints self time by function, self time by package / source folder, and
 * total (inclusive) time of the functions of this repository's server code.
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [TOP=25]');
const top = Number(/^TOP=(\d+)$/.exec(process.argv[3] ?? '')?.[1] ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = (url: string): string => {
  if (!url) return '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const repo = /\/(apps\/[^/]+\/src\/.*|packages\/[^/]+\/src\/.*)$/.exec(url);
  if (repo) return repo[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
};
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

// Time of each sample: the delta before the next one.
const self = new Map<string, number>();
const byPlace = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const node = byId.get(profile.samples[i]!)!;
  total += dt;
  const name = node.callFrame.functionName;
  if (name === '(idle)') {
    idle += dt;
    continue;
  }
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const place = name === '(garbage collector)' ? '(garbage collector)' : name === '(program)' ? '(program)' : /\/(apps|packages)\//.test(node.callFrame.url) ? where(node.callFrame.url).replace(/\/[^/]+$/, '/') : where(node.callFrame.url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id)!;
    if (!/\/(apps|packages)\//.test(n.callFrame.url)) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
}
const busy = total - idle;
const pct = (x: number) => `${((x / busy) * 100).toFixed(1).padStart(5)}%`;
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s profiled, busy ${(busy / 1e6).toFixed(2)} s (${((busy / total) * 100).toFixed(0)}%), idle ${(idle / 1e6).toFixed(2)} s; percentages are of busy time`);
show('self time by package / folder', byPlace);
show('self time by function', self);
show('total time (self + callees) of server functions', inclusive);
