import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ActivityRow } from '@rs/protocol';
import { api } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { Link } from '../app/router.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function duration(s: number | null): string {
  if (s === null) return '';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}

/** REP-1: CSR activity report with a date filter and CSV export. */
export function ReportsPage() {
  const t = useT();
  const { user } = useAuth();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 30 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [rows, setRows] = useState<ActivityRow[] | null>(null);
  const { run, busy, error } = useAction();
  const load = useCallback(() => {
    void run(async () => setRows((await api.get<{ rows: ActivityRow[] }>(`/api/reports/activity?from=${from}&to=${to}`)).rows));
  }, [run, from, to]);
  useEffect(load, []); // eslint-disable-line react-hooks/exhaustive-deps
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load();
  };
  return (
    <Page title={t('reports.heading')} wide>
      {user?.roles.admin && (
        <p>
          <Link to="/reports/queues">{t('queueReport.heading')}</Link>
        </p>
      )}
      <h2>{t('reports.activity')}</h2>
      <form onSubmit={submit} className="row filters">
        <Field label={t('reports.from')} type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        <Field label={t('reports.to')} type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
        <button type="submit" disabled={busy}>
          {t('reports.show')}
        </button>
        <a className="button secondary" href={`/api/reports/activity?from=${from}&to=${to}&format=csv`} download>
          {t('reports.exportCsv')}
        </a>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {rows && rows.length === 0 && <p className="muted">{t('reports.none')}</p>}
      {rows && rows.length > 0 && (
        // A wide table scrolls sideways: the scroll area takes focus so keyboard users can scroll it too.
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('reports.activity')}>
          <table>
            <caption className="visually-hidden">{t('reports.activity')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.col.rep')}</th>
                <th scope="col">{t('reports.col.role')}</th>
                <th scope="col">{t('reports.col.number')}</th>
                <th scope="col">{t('reports.col.start')}</th>
                <th scope="col">{t('reports.col.end')}</th>
                <th scope="col">{t('reports.col.duration')}</th>
                <th scope="col">{t('reports.col.customers')}</th>
                <th scope="col">{t('reports.col.transfers')}</th>
                <th scope="col">{t('reports.col.notes')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.sessionId}-${r.repEmail}`}>
                  <td>{r.repName}</td>
                  <td>{t(`reports.role.${r.role}`)}</td>
                  <td>{r.sessionNumber}</td>
                  <td>{new Date(r.start).toLocaleString()}</td>
                  <td>{r.end ? new Date(r.end).toLocaleString() : t('reports.open')}</td>
                  <td>{duration(r.durationSeconds)}</td>
                  <td>{r.customers}</td>
                  <td>{r.transfers}</td>
                  <td className="notes-cell">{r.notes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
