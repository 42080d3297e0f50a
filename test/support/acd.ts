import { AcdServerMessage, type AgentState, type WaitingState } from '@rs/protocol';
import WebSocket from 'ws';
import type { ApiClient } from '@rs/client';

/**
 * A `/ws/acd` listener for tests: keeps the latest snapshot and lets a test
 * wait for one that satisfies a condition.
 */
export class AcdListener<S> {
  latest: S | null = null;
  errors: { code: string; message: string }[] = [];
  private waiters = new Set<() => void>();
  private readonly callbacks = new Set<(s: S) => void>();
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(wsUrl: string, hello: object, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(wsUrl.replace(/\/ws$/, '/ws/acd'), { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.ws.send(JSON.stringify({ type: 'acd.hello', ...hello }));
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const parsed = AcdServerMessage.safeParse(JSON.parse(String(data)));
      if (!parsed.success) {
        this.errors.push({ code: 'invalid snapshot', message: `${parsed.error.message}: ${String(data).slice(0, 500)}` });
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'acd.error') this.errors.push(msg);
      else {
        this.latest = msg.state as S;
        for (const cb of this.callbacks) cb(this.latest);
      }
      if (process.env.ACD_DEBUG) console.error("SNAP", JSON.stringify(msg).slice(0, 300));
      for (const w of [...this.waiters]) w();
    });
    this.ws.on('close', () => {
      for (const w of [...this.waiters]) w();
    });
  }

  until(predicate: (s: S) => boolean, what: string, timeoutMs = 15_000): Promise<S> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.latest !== null && predicate(this.latest)) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.latest);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what}: not seen in ${timeoutMs} ms; last ${JSON.stringify(this.latest)} errors ${JSON.stringify(this.errors)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Calls `cb` with every snapshot from now on. */
  onState(cb: (s: S) => void): void {
    this.callbacks.add(cb);
  }

  close(): void {
    this.ws.close();
  }
}

export function agentListener(wsUrl: string, api: ApiClient & { cookies: Map<string, string> }): AcdListener<AgentState> {
  const cookie = [...api.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return new AcdListener<AgentState>(wsUrl, { as: 'agent' }, { cookie });
}

export function waitingListener(wsUrl: string, ticket: { requestId: string; token: string }): AcdListener<WaitingState> {
  return new AcdListener<WaitingState>(wsUrl, { as: 'waiting', ...ticket });
}

/** Posts the entry form as a person on the help page would. */
export async function getHelp(baseUrl: string, slug: string, person: { name: string; email: string; problem: string }, origin?: string) {
  const res = await fetch(`${baseUrl}/api/acd/queues/${slug}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify(person),
  });
  const body = (await res.json()) as { requestId: string; token: string } & { error?: { code: string; message: string } };
  return { status: res.status, body };
}

export const ALWAYS_OPEN = null;

/** A queue body with defaults. */
export function queueBody(over: Partial<Record<string, unknown>> & { name: string; slug: string; agentIds: string[] }) {
  return {
    routing: 'longest_idle',
    hours: ALWAYS_OPEN,
    overflowAfterSeconds: null,
    overflowQueueId: null,
    formText: 'Tell us what is wrong and an agent will help you.',
    ...over,
  };
}
