// Loaded into a server process with NODE_OPTIONS=--import (the bench does this
// with PROFILE=<dir>): the first SIGUSR2 starts V8's CPU profiler, the next
// writes <dir>/server-<pid>-<n>.cpuprofile (open it in Chrome DevTools, or
// summarize it with bench/acd/profile-summary.ts). `node --cpu-prof` is not
// allowed in NODE_OPTIONS, and would profile the whole life of the process
// (mostly setup); this profiles just the window the bench measures.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.ACD_PROFILE_DIR || '.';
const session = new inspector.Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 250 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return void console.error('cpu-profile:', err);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `server-${process.pid}-${n++}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
    console.log(`cpu profile written: ${file}`);
  });
});
