import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { QueueReport, QueueReportRow } from '@rs/protocol';
import { api } from '../app/api.js';
import { Link } from '../app/router.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useI18n, useT, type Translate } from '../i18n/index.js';
import './acd.css';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const NONE = '—';

function duration(s: number | null): string {
  if (s === null) return NONE;
  const r = Math.round(s);
  const h = Math.floor(r / 3600);
  const m = Math.floor((r % 3600) / 60);
  const sec = r % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}

/** Queue report (ACD): per queue and day, with answered vs abandoned as a chart. */
export function QueueReportPage() {
  const t = useT();
  const { lang } = useI18n();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 13 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [report, setReport] = useState<QueueReport | null>(null);
  const { run, busy, error } = useAction();
  const load = useCallback(() => {
    void run(async () => setReport(await api.get<QueueReport>(`/api/reports/queues?from=${from}&to=${to}`)));
  }, [run, from, to]);
  useEffect(load, []); // eslint-disable-line react-hooks/exhaustive-deps
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load();
  };
  const pct = useMemo(() => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }), [lang]);
  const rows = report?.rows ?? [];
  return (
    <Page title={t('queueReport.heading')} wide>
      <p>
        <Link to="/reports">{t('reports.activity')}</Link>
      </p>
      <form onSubmit={submit} className="row filters">
        <Field label={t('reports.from')} type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        <Field label={t('reports.to')} type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
        <button type="submit" disabled={busy}>
          {t('reports.show')}
        </button>
        <a className="button secondary" href={`/api/reports/queues?from=${from}&to=${to}&format=csv`} download>
          {t('queueReport.csv')}
        </a>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {report && rows.length === 0 && <p className="muted">{t('queueReport.none')}</p>}
      {report && rows.length > 0 && (
        <>
          <DayChart rows={rows} t={t} lang={lang} />
          <p className="hint">{t('queueReport.target', { seconds: report.targetSeconds })}</p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t('queueReport.heading')}>
            <table>
              <caption className="visually-hidden">{t('queueReport.heading')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('queueReport.col.date')}</th>
                  <th scope="col">{t('queueReport.col.queue')}</th>
                  <th scope="col" className="num">{t('queueReport.col.requests')}</th>
                  <th scope="col" className="num">{t('queueReport.col.answered')}</th>
                  <th scope="col" className="num">{t('queueReport.col.abandoned')}</th>
                  <th scope="col" className="num">{t('queueReport.col.avgWait')}</th>
                  <th scope="col" className="num">{t('queueReport.col.p90Wait')}</th>
                  <th scope="col" className="num">{t('queueReport.col.avgHandling')}</th>
                  <th scope="col" className="num">{t('queueReport.col.withinTarget')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.date}-${r.queueId}`}>
                    <td>{new Date(`${r.date}T12:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC' })}</td>
                    <td>{r.queueName}</td>
                    <td className="num">{r.requests}</td>
                    <td className="num">{r.answered}</td>
                    <td className="num">{r.abandoned}</td>
                    <td className="num">{duration(r.averageWaitSeconds)}</td>
                    <td className="num">{duration(r.p90WaitSeconds)}</td>
                    <td className="num">{duration(r.averageHandlingSeconds)}</td>
                    <td className="num">{r.answeredWithinTarget === null ? NONE : pct.format(r.answeredWithinTarget)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}

/** Answered vs abandoned per day over all queues; the svg is one image with a sentence for screen readers, the table has the numbers. */
function DayChart({ rows, t, lang }: { rows: QueueReportRow[]; t: Translate; lang: string }) {
  const titleId = useId();
  const descId = useId();
  const days = useMemo(() => {
    const byDay = new Map<string, { answered: number; abandoned: number }>();
    for (const r of rows) {
      const d = byDay.get(r.date) ?? { answered: 0, abandoned: 0 };
      d.answered += r.answered;
      d.abandoned += r.abandoned;
      byDay.set(r.date, d);
    }
    return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, v]) => ({ date, ...v }));
  }, [rows]);
  const max = Math.max(1, ...days.map((d) => Math.max(d.answered, d.abandoned)));
  const answered = days.reduce((s, d) => s + d.answered, 0);
  const abandoned = days.reduce((s, d) => s + d.abandoned, 0);
  const fmtDay = (date: string) => new Date(`${date}T12:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const group = 44;
  const bar = 16;
  const left = 34;
  const top = 10;
  const plotH = 160;
  const width = left + days.length * group + 10;
  const height = top + plotH + 34;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const labelEvery = Math.max(1, Math.ceil(days.length / 12));
  return (
    <figure className="chart panel">
      <div className="chart-legend" aria-hidden="true">
        <span>
          <span className="swatch answered" /> {t('queueReport.col.answered')}
        </span>
        <span>
          <span className="swatch abandoned" /> {t('queueReport.col.abandoned')}
        </span>
      </div>
      <div className="chart-scroll">
        <svg
          role="img"
          aria-labelledby={`${titleId} ${descId}`}
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          className="bar-chart"
        >
          <title id={titleId}>{t('queueReport.chartTitle')}</title>
          <desc id={descId}>
            {t('queueReport.chartSummary', {
              days: days.length,
              answered,
              abandoned,
              from: fmtDay(days[0]!.date),
              to: fmtDay(days[days.length - 1]!.date),
            })}
          </desc>
          <line x1={left} x2={width - 5} y1={top + plotH} y2={top + plotH} className="axis" />
          <line x1={left} x2={width - 5} y1={top} y2={top} className="grid" />
          <text x={left - 6} y={top + 4} textAnchor="end" className="tick">
            {max}
          </text>
          <text x={left - 6} y={top + plotH + 4} textAnchor="end" className="tick">
            0
          </text>
          {days.map((d, i) => {
            const x = left + i * group + (group - 2 * bar) / 2;
            return (
              <g key={d.date}>
                <rect x={x} y={y(d.answered)} width={bar} height={top + plotH - y(d.answered)} className="answered" />
                <rect x={x + bar} y={y(d.abandoned)} width={bar} height={top + plotH - y(d.abandoned)} className="abandoned" />
                {i % labelEvery === 0 && (
                  <text x={x + bar} y={top + plotH + 16} textAnchor="middle" className="tick">
                    {fmtDay(d.date)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="hint">{t('queueReport.chartCaption')}</figcaption>
    </figure>
  );
}
