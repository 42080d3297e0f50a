import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
  body: string;
}

/** Starts the SMTP server process; `nextMail` resolves with the next message it receives. */
export async function startSmtp() {
  const port = await freePort();
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp-server-process.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const mails: ReceivedMail[] = [];
  const waiters: ((m: ReceivedMail) => void)[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    proc.on('exit', (c) => reject(new Error(`smtp process exited ${c}`)));
    proc.stdout!.on('data', (d) => {
      buf += String(d);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('SMTP listening')) resolve();
        else if (line.startsWith('{')) {
          const m = JSON.parse(line) as ReceivedMail;
          const w = waiters.shift();
          if (w) w(m);
          else mails.push(m);
        }
      }
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    nextMail(timeoutMs = 10_000): Promise<ReceivedMail> {
      const m = mails.shift();
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no mail arrived')), timeoutMs);
        waiters.push((mail) => {
          clearTimeout(t);
          resolve(mail);
        });
      });
    },
    stop() {
      proc.kill();
    },
  };
}
