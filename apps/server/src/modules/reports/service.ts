import { foldEvents, type ActivityRow, type User } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import type { SessionStore } from '../sessions/store.js';

/**
 * REP-1: one row per rep and session they took part in, folded from the
 * session log so the report always agrees with what happened.
 */
export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly store: SessionStore,
  ) {}

  async activity(range: { from?: string | undefined; to?: string | undefined }, viewer: User): Promise<ActivityRow[]> {
    const fromIso = range.from ? `${range.from}T00:00:00.000Z` : '0000-01-01T00:00:00.000Z';
    const toIso = range.to ? new Date(Date.parse(`${range.to}T00:00:00.000Z`) + 86_400_000).toISOString() : '9999-12-31T00:00:00.000Z';
    // Reps see their own rows; admins see everyone's.
    const rows = await this.store.sessionsBetween(fromIso, toIso, viewer.roles.admin ? null : viewer.id);
    const users = new Map((await this.db.selectFrom('users').select(['id', 'name', 'email']).execute()).map((u) => [u.id, u]));
    const out: ActivityRow[] = [];
    const views = new Map<string, ReturnType<typeof foldEvents>>();
    for (const row of rows) {
      if (!views.has(row.id)) views.set(row.id, foldEvents(await this.store.eventsAfter(row.id, 0)));
      const view = views.get(row.id);
      if (!view) continue;
      const rep = users.get(row.rep_user_id);
      const mine = Object.values(view.participants).filter((p) => p.userId === row.rep_user_id);
      const ids = new Set(mine.map((p) => p.id));
      const everPrimary = mine.some((p) => p.role === 'primary') || view.transfers.some((t) => ids.has(t.to)) || row.created_by === row.rep_user_id;
      const end = view.status.state === 'ended' ? view.status.at : null;
      out.push({
        repName: rep?.name ?? '',
        repEmail: rep?.email ?? '',
        role: everPrimary ? 'primary' : 'assistant',
        sessionNumber: view.number,
        sessionId: row.id,
        start: view.startedAt,
        end,
        durationSeconds: end ? Math.round((Date.parse(end) - Date.parse(view.startedAt)) / 1000) : null,
        customers: Object.values(view.participants).filter((p) => p.kind === 'customer' && p.status !== 'waiting' && p.status !== 'denied').length,
        transfers: view.transfers.length + view.sessionTransfers.length,
        inboundQueue: view.inbound ? (view.inbound.queueName ?? '') : null,
        notes: view.notes.filter((n) => ids.has(n.by)).at(-1)?.text ?? view.notes.at(-1)?.text ?? '',
      });
    }
    return out;
  }
}

const COLUMNS: [keyof ActivityRow, string][] = [
  ['repName', 'Rep'],
  ['repEmail', 'Rep email'],
  ['role', 'Role'],
  ['sessionNumber', 'Session number'],
  ['start', 'Start'],
  ['end', 'End'],
  ['durationSeconds', 'Duration (s)'],
  ['customers', 'Customers'],
  ['transfers', 'Transfers'],
  ['notes', 'Notes'],
  ['inboundQueue', 'Inbound queue'],
];

function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvOf<T>(columns: [keyof T, string][], rows: T[]): string {
  const lines = [columns.map(([, h]) => csvCell(h)).join(',')];
  for (const r of rows) lines.push(columns.map(([k]) => csvCell(r[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toCsv(rows: ActivityRow[]): string {
  return csvOf(COLUMNS, rows);
}
