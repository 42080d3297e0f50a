import type { QueueReport, QueueReportRow } from '@rs/protocol';
import type { AcdRequestsTable } from '../../db/schema.js';
import { csvOf } from '../reports/service.js';
import type { AcdStore } from './store.js';

/**
 * Queue report (ACD-5): per queue and day (UTC) of entry: requests, answered,
 * abandoned, wait (entry to the agent's Accept), handling time (Accept to
 * the end of the session or the agent's transfer), service level.
 */
export async function queueReport(store: AcdStore, range: { from?: string | undefined; to?: string | undefined }, targetSeconds: number, now: Date): Promise<QueueReport> {
  const to = range.to ?? now.toISOString().slice(0, 10);
  const from = range.from ?? new Date(Date.parse(`${to}T00:00:00.000Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const fromIso = `${from}T00:00:00.000Z`;
  const toIso = new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString();
  const [rows, queues] = await Promise.all([store.enteredBetween(fromIso, toIso), store.queues()]);
  const names = new Map(queues.map((q) => [q.id, q.name]));
  const groups = new Map<string, AcdRequestsTable[]>();
  for (const r of rows) {
    if (r.state === 'held' || r.queue_id === null) continue;
    const key = `${r.entered_at.slice(0, 10)}\u0000${r.queue_id}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const out: QueueReportRow[] = [];
  for (const [key, list] of groups) {
    const [date = '', queueId = ''] = key.split('\u0000');
    const answered = list.filter((r) => r.assigned_at !== null);
    const waits = answered.map((r) => (Date.parse(r.assigned_at ?? '') - Date.parse(r.entered_at)) / 1000).sort((a, b) => a - b);
    const handled = answered.filter((r) => r.ended_at !== null).map((r) => (Date.parse(r.ended_at ?? '') - Date.parse(r.assigned_at ?? '')) / 1000);
    out.push({
      date,
      queueId,
      queueName: names.get(queueId) ?? '(deleted queue)',
      requests: list.length,
      answered: answered.length,
      abandoned: list.filter((r) => r.state === 'abandoned').length,
      averageWaitSeconds: mean(waits),
      p90WaitSeconds: percentile(waits, 0.9),
      averageHandlingSeconds: mean(handled),
      answeredWithinTarget: waits.length ? waits.filter((w) => w <= targetSeconds).length / waits.length : null,
    });
  }
  out.sort((a, b) => (a.date === b.date ? a.queueName.localeCompare(b.queueName) : a.date.localeCompare(b.date)));
  return { from, to, targetSeconds, rows: out };
}

function mean(xs: number[]): number | null {
  return xs.length ? round1(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return round1(sorted[rank - 1] ?? 0);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

const COLUMNS: [keyof QueueReportRow, string][] = [
  ['date', 'Date'],
  ['queueName', 'Queue'],
  ['requests', 'Requests'],
  ['answered', 'Answered'],
  ['abandoned', 'Abandoned'],
  ['averageWaitSeconds', 'Average wait (s)'],
  ['p90WaitSeconds', '90th percentile wait (s)'],
  ['averageHandlingSeconds', 'Average handling time (s)'],
  ['answeredWithinTarget', 'Answered within target (share)'],
];

export const queueReportCsv = (report: QueueReport) => csvOf(COLUMNS, report.rows);
