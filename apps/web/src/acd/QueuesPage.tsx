import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ACD_LIMITS, WEEKDAYS, type BusinessHours, type Queue, type QueueInput, type RoutingRule, type SiteSettings, type User, type Weekday } from '@rs/protocol';
import { api } from '../app/api.js';
import { Link } from '../app/router.js';
import { Check, Dialog, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useI18n, useT } from '../i18n/index.js';
import { FormField, issueFields } from './fields.js';
import './acd.css';

/** A queue's address from its name: lowercase, digits and dashes. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ACD_LIMITS.queueName);
}

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Mon..Sun in the UI language (1 Jan 2024 was a Monday). */
function weekdayNames(lang: string): Record<Weekday, string> {
  const fmt = new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' });
  const names = {} as Record<Weekday, string>;
  WEEKDAYS.forEach((d, i) => {
    const name = fmt.format(new Date(Date.UTC(2024, 0, 1 + i)));
    names[d] = name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
  });
  return names;
}

interface Draft {
  name: string;
  slug: string;
  slugTouched: boolean;
  agentIds: string[];
  routing: RoutingRule;
  alwaysOpen: boolean;
  timeZone: string;
  /** One range per day in the form; '' both = closed. Further ranges of a day are kept as they were. */
  days: Record<Weekday, { from: string; to: string; more: { from: string; to: string }[] }>;
  overflowAfter: string;
  overflowQueueId: string;
  formText: string;
}

function emptyDays(): Draft['days'] {
  const days = {} as Draft['days'];
  for (const d of WEEKDAYS) {
    const weekday = d !== 'sat' && d !== 'sun';
    days[d] = { from: weekday ? '08:00' : '', to: weekday ? '17:00' : '', more: [] };
  }
  return days;
}

function draftOf(q: Queue | null): Draft {
  if (!q) {
    return {
      name: '',
      slug: '',
      slugTouched: false,
      agentIds: [],
      routing: 'longest_idle',
      alwaysOpen: true,
      timeZone: browserTimeZone(),
      days: emptyDays(),
      overflowAfter: '',
      overflowQueueId: '',
      formText: '',
    };
  }
  const days = {} as Draft['days'];
  for (const d of WEEKDAYS) {
    const ranges = q.hours?.days[d] ?? [];
    days[d] = { from: ranges[0]?.from ?? '', to: ranges[0]?.to ?? '', more: ranges.slice(1) };
  }
  return {
    name: q.name,
    slug: q.slug,
    slugTouched: true,
    agentIds: q.agentIds,
    routing: q.routing,
    alwaysOpen: q.hours === null,
    timeZone: q.hours?.timeZone ?? browserTimeZone(),
    days: q.hours ? days : emptyDays(),
    overflowAfter: q.overflowAfterSeconds === null ? '' : String(q.overflowAfterSeconds),
    overflowQueueId: q.overflowQueueId ?? '',
    formText: q.formText,
  };
}

function inputOf(d: Draft): QueueInput {
  let hours: BusinessHours | null = null;
  if (!d.alwaysOpen) {
    const days = {} as BusinessHours['days'];
    for (const w of WEEKDAYS) {
      const r = d.days[w];
      days[w] = [...(r.from || r.to ? [{ from: r.from, to: r.to }] : []), ...r.more];
    }
    hours = { timeZone: d.timeZone.trim(), days };
  }
  const after = d.overflowAfter.trim();
  return {
    name: d.name,
    slug: d.slug,
    agentIds: d.agentIds,
    routing: d.routing,
    hours,
    overflowAfterSeconds: after === '' ? null : Number(after),
    overflowQueueId: d.overflowQueueId || null,
    formText: d.formText,
  };
}

/** ACD-1/2/3: the admin's queues: who serves them, how requests are routed, when they are open. */
export function QueuesPage() {
  const t = useT();
  const [queues, setQueues] = useState<Queue[] | null>(null);
  const [agents, setAgents] = useState<User[]>([]);
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [editing, setEditing] = useState<Queue | 'new'>('new');
  const [message, setMessage] = useState<string | null>(null);
  const { run, error } = useAction();
  const load = useCallback(() => {
    void run(async () => setQueues((await api.get<{ queues: Queue[] }>('/api/acd/queues')).queues));
  }, [run]);
  useEffect(() => {
    load();
    api
      .get<{ users: User[] }>('/api/users')
      .then((r) => setAgents(r.users.filter((u) => u.roles.agent && !u.disabled)))
      .catch(() => setAgents([]));
    api
      .get<SiteSettings>('/api/settings')
      .then((s) => setEnabled(s.webAcdEnabled))
      .catch(() => setEnabled(null));
  }, [load]);
  const editingId = editing === 'new' ? null : editing.id;

  return (
    <Page title={t('queues.heading')} wide>
      {enabled === false && (
        <Notice kind="info">
          {t('queues.acdOff')} <Link to="/settings">{t('nav.settings')}</Link>
        </Notice>
      )}
      {message && <Notice kind="success">{message}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {queues && queues.length === 0 && <p className="muted">{t('queues.none')}</p>}
      {queues && queues.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('queues.heading')}>
          <table>
            <caption className="visually-hidden">{t('queues.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queues.name')}</th>
                <th scope="col">{t('queues.address')}</th>
                <th scope="col">{t('queues.agents')}</th>
                <th scope="col">{t('queues.routing')}</th>
                <th scope="col">{t('queues.hours')}</th>
                <th scope="col">{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.id} aria-current={q.id === editingId ? 'true' : undefined}>
                  <td>{q.name}</td>
                  <td className="mono break">/help/{q.slug}</td>
                  <td>{q.agentIds.length}</td>
                  <td>{q.routing === 'longest_idle' ? t('queues.routing.longestIdle') : t('queues.routing.roundRobin')}</td>
                  <td>{q.hours === null ? t('queues.alwaysOpen') : q.hours.timeZone}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setMessage(null);
                        setEditing(q);
                      }}
                    >
                      {t('users.edit')}
                      <span className="visually-hidden"> {q.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="queue-form-h" className="queue-form-section">
        <div className="row spread">
          <h2 id="queue-form-h">{editing === 'new' ? t('queues.add') : t('queues.editing', { name: editing.name })}</h2>
          {editing !== 'new' && (
            <button type="button" className="secondary" onClick={() => setEditing('new')}>
              {t('queues.add')}
            </button>
          )}
        </div>
        <QueueForm
          key={editingId ?? 'new'}
          queue={editing === 'new' ? null : editing}
          queues={queues ?? []}
          agents={agents}
          onSaved={(q, isNew) => {
            setMessage(isNew ? t('queues.added', { name: q.name }) : t('common.saved'));
            setEditing(q);
            load();
          }}
          onDeleted={(q) => {
            setMessage(t('queues.deleted', { name: q.name }));
            setEditing('new');
            load();
          }}
        />
      </section>
    </Page>
  );
}

function QueueForm({
  queue,
  queues,
  agents,
  onSaved,
  onDeleted,
}: {
  queue: Queue | null;
  queues: Queue[];
  agents: User[];
  onSaved(q: Queue, isNew: boolean): void;
  onDeleted(q: Queue): void;
}) {
  const t = useT();
  const { lang } = useI18n();
  const [d, setD] = useState<Draft>(() => draftOf(queue));
  const [bad, setBad] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [copied, setCopied] = useState(false);
  const { run, busy, error } = useAction();
  const del = useAction();
  const ids = { routing: useId(), overflowQ: useId(), tz: useId(), tzList: useId(), script: useId(), link: useId() };
  const days = useMemo(() => weekdayNames(lang), [lang]);
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return [];
    }
  }, []);
  const origin = window.location.origin;
  const link = `${origin}/help/${d.slug || '…'}`;
  const script = `<script src="${origin}/embed/help.js" data-queue="${d.slug || '…'}" async></script>`;
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const setDay = (w: Weekday, patch: Partial<Draft['days'][Weekday]>) => setD((x) => ({ ...x, days: { ...x.days, [w]: { ...x.days[w], ...patch } } }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBad(new Set());
    void run(async () => {
      try {
        const body = inputOf(d);
        const saved = queue ? await api.put<Queue>(`/api/acd/queues/${encodeURIComponent(queue.id)}`, body) : await api.post<Queue>('/api/acd/queues', body);
        onSaved(saved, !queue);
      } catch (err) {
        setBad(issueFields(err));
        throw err;
      }
    });
  };
  const copy = async () => {
    await navigator.clipboard?.writeText(script).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };

  return (
    <form onSubmit={submit} className="form queue-form" aria-labelledby="queue-form-h" noValidate>
      <FormField
        label={t('queues.name')}
        required
        maxLength={ACD_LIMITS.queueName}
        value={d.name}
        onChange={(e) => {
          const name = e.target.value;
          set(d.slugTouched ? { name } : { name, slug: slugify(name) });
        }}
        error={bad.has('name') ? t('queues.nameInvalid') : null}
      />
      <FormField
        label={t('queues.address')}
        hint={t('queues.addressHint')}
        required
        className="mono"
        value={d.slug}
        onChange={(e) => set({ slug: e.target.value, slugTouched: true })}
        error={bad.has('slug') ? t('queues.addressInvalid') : null}
        after={
          <div className="queue-links">
            <p>
              <span className="label-small" id={ids.link}>
                {t('queues.link')}
              </span>{' '}
              {d.slug ? (
                <a href={link} target="_blank" rel="noopener" className="mono break" aria-describedby={ids.link}>
                  {link}
                </a>
              ) : (
                <span className="mono muted">{link}</span>
              )}
            </p>
            <label htmlFor={ids.script} className="label-small">
              {t('queues.script')}
            </label>
            <div className="row">
              <input id={ids.script} className="mono grow" readOnly value={script} onFocus={(e) => e.target.select()} />
              <button type="button" className="secondary" onClick={() => void copy()} disabled={!d.slug}>
                {t('queues.copyScript')}
              </button>
              {copied && <span role="status">{t('console.copied')}</span>}
            </div>
          </div>
        }
      />
      <fieldset>
        <legend>{t('queues.agents')}</legend>
        {agents.length === 0 ? (
          <p className="muted">
            {t('queues.noAgents')} <Link to="/users">{t('nav.users')}</Link>
          </p>
        ) : (
          agents.map((a) => (
            <Check
              key={a.id}
              label={a.name}
              checked={d.agentIds.includes(a.id)}
              onChange={(e) => set({ agentIds: e.target.checked ? [...d.agentIds, a.id] : d.agentIds.filter((x) => x !== a.id) })}
            />
          ))
        )}
        {bad.has('agentIds') && <small className="field-error">{t('queues.agentsInvalid')}</small>}
      </fieldset>
      <div className="field">
        <label htmlFor={ids.routing}>{t('queues.routing')}</label>
        <select id={ids.routing} value={d.routing} onChange={(e) => set({ routing: e.target.value as RoutingRule })}>
          <option value="longest_idle">{t('queues.routing.longestIdle')}</option>
          <option value="round_robin">{t('queues.routing.roundRobin')}</option>
        </select>
      </div>
      <fieldset>
        <legend>{t('queues.hours')}</legend>
        <Check label={t('queues.alwaysOpen')} checked={d.alwaysOpen} onChange={(e) => set({ alwaysOpen: e.target.checked })} />
        {!d.alwaysOpen && (
          <>
            <div className="field">
              <label htmlFor={ids.tz}>{t('queues.timeZone')}</label>
              <input
                id={ids.tz}
                list={ids.tzList}
                value={d.timeZone}
                onChange={(e) => set({ timeZone: e.target.value })}
                aria-invalid={bad.has('hours') ? true : undefined}
                autoComplete="off"
              />
              <datalist id={ids.tzList}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </div>
            <p className="hint">{t('queues.hoursHint')}</p>
            <table className="hours">
              <caption className="visually-hidden">{t('queues.hours')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('queues.day')}</th>
                  <th scope="col">{t('queues.from')}</th>
                  <th scope="col">{t('queues.to')}</th>
                </tr>
              </thead>
              <tbody>
                {WEEKDAYS.map((w) => (
                  <tr key={w}>
                    <th scope="row">{days[w]}</th>
                    <td>
                      <input
                        type="time"
                        aria-label={t('queues.dayFrom', { day: days[w] })}
                        value={d.days[w].from}
                        onChange={(e) => setDay(w, { from: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="time"
                        aria-label={t('queues.dayTo', { day: days[w] })}
                        value={d.days[w].to}
                        onChange={(e) => setDay(w, { to: e.target.value })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {bad.has('hours') && <small className="field-error">{t('queues.hoursInvalid')}</small>}
          </>
        )}
      </fieldset>
      <FormField
        label={t('queues.overflowAfter')}
        hint={t('queues.overflowAfterHint')}
        type="number"
        min={10}
        max={24 * 3600}
        inputMode="numeric"
        value={d.overflowAfter}
        onChange={(e) => set({ overflowAfter: e.target.value })}
        error={bad.has('overflowAfterSeconds') ? t('queues.overflowAfterInvalid') : null}
      />
      <div className="field">
        <label htmlFor={ids.overflowQ}>{t('queues.overflowTo')}</label>
        <select id={ids.overflowQ} value={d.overflowQueueId} onChange={(e) => set({ overflowQueueId: e.target.value })}>
          <option value="">{t('queues.overflowNone')}</option>
          {queues
            .filter((q) => q.id !== queue?.id)
            .map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
        </select>
      </div>
      <FormField
        label={t('queues.formText')}
        hint={t('queues.formTextHint')}
        multiline
        value={d.formText}
        onChange={(e) => set({ formText: e.target.value })}
        error={bad.has('formText') ? t('queues.formTextInvalid', { max: ACD_LIMITS.formText }) : null}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <div className="row">
        <button type="submit" disabled={busy}>
          {t('common.save')}
        </button>
        {queue && (
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            {t('queues.delete')}
          </button>
        )}
      </div>
      {queue && (
        <Dialog title={t('queues.deleteTitle', { name: queue.name })} open={confirmDelete} onClose={() => setConfirmDelete(false)}>
          <p>{t('queues.deleteConfirm')}</p>
          {del.error && <Notice kind="error">{del.error}</Notice>}
          <div className="row end">
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)} data-autofocus>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="danger"
              disabled={del.busy}
              onClick={() =>
                void del.run(async () => {
                  await api.delete(`/api/acd/queues/${encodeURIComponent(queue.id)}`);
                  setConfirmDelete(false);
                  onDeleted(queue);
                })
              }
            >
              {t('queues.delete')}
            </button>
          </div>
        </Dialog>
      )}
    </form>
  );
}
