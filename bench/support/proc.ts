import fs from 'node:fs';

/**
 * A numeric benchmark option: `KEY=value` or `--key=value` on the command
 * line (any case), else the environment variable KEY, else the fallback.
 */
export function option(name: string, fallback: number): number {
  const key = name.toLowerCase();
  for (const arg of process.argv.slice(2)) {
    const m = /^(?:--)?([A-Za-z_]+)=(.*)$/.exec(arg);
    if (m && m[1]!.toLowerCase() === key) return Number(m[2]);
  }
  const env = process.env[name];
  return env !== undefined && env !== '' ? Number(env) : fallback;
}

/** Resident memory of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** A text option, looked up like `option()`: argv `KEY=value` / `--key=value`, else the environment, else the fallback. */
export function textOption(name: string, fallback: string): string {
  const key = name.toLowerCase();
  for (const arg of process.argv.slice(2)) {
    const m = /^(?:--)?([A-Za-z_]+)=(.*)$/.exec(arg);
    if (m && m[1]!.toLowerCase() === key) return m[2]!;
  }
  const env = process.env[name];
  return env !== undefined && env !== '' ? env : fallback;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number, clockTicks = 100): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}
