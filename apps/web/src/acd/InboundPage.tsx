import { useCallback, useEffect, useId, useState } from 'react';
import type { AgentStatus, LeftMessage } from '@rs/protocol';
import { api } from '../app/api.js';
import { Link } from '../app/router.js';
import { Check, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';
import { useAgent } from './agent.js';
import { AgentOffers } from './Offers.js';
import './acd.css';

/** ACD-3/4: the agent's console for inbound work: status, offers, queues, sessions and left messages. */
export function InboundPage() {
  const t = useT();
  const agent = useAgent();
  if (!agent.enabled) {
    return (
      <Page title={t('inbound.heading')}>
        <Notice kind="info">{t('inbound.notAgent')}</Notice>
      </Page>
    );
  }
  return (
    <Page title={t('inbound.heading')} wide>
      <div className="inbound-grid">
        <div>
          <AgentPanel />
          <AgentOffers />
          <Sessions />
        </div>
        <div>
          <Queues />
          <Messages />
        </div>
      </div>
    </Page>
  );
}

function AgentPanel() {
  const t = useT();
  const agent = useAgent();
  const legendId = useId();
  const { run, busy, error } = useAction();
  // What the agent just chose shows at once (the server's answer follows); a refusal puts it back.
  const [pendingStatus, setPendingStatus] = useState<AgentStatus | null>(null);
  const [pendingAuto, setPendingAuto] = useState<boolean | null>(null);
  const s = agent.state;
  const conn = agent.connection.state;
  const status =
    conn === 'reconnecting' ? t('conn.reconnecting') : conn === 'connecting' && !s ? t('conn.connecting') : conn === 'closed' ? t('conn.closed') : null;
  return (
    <section className="panel" aria-labelledby="agent-h">
      <h2 id="agent-h">{t('agent.heading')}</h2>
      <p className={status ? 'conn conn-connecting' : 'visually-hidden'} role="status">
        {status}
      </p>
      {agent.error && <Notice kind="error">{agent.error}</Notice>}
      {s?.missedOffer && <Notice kind="error">{t('agent.missed')}</Notice>}
      {s ? (
        <>
          <fieldset role="radiogroup" aria-labelledby={legendId} className="status-switch" disabled={busy}>
            <legend id={legendId}>{t('agent.status')}</legend>
            {(['available', 'away'] as AgentStatus[]).map((v) => (
              <label key={v} className={`status-option status-${v}`}>
                <input
                  type="radio"
                  name="agent-status"
                  value={v}
                  checked={(pendingStatus ?? s.status) === v}
                  onChange={() => {
                    setPendingStatus(v);
                    void run(() => agent.setStatus(v)).finally(() => setPendingStatus(null));
                  }}
                />
                {v === 'available' ? t('agent.available') : t('agent.away')}
              </label>
            ))}
          </fieldset>
          <Check
            label={t('agent.autoAccept')}
            checked={pendingAuto ?? s.autoAccept}
            disabled={busy}
            onChange={(e) => {
              const on = e.target.checked;
              setPendingAuto(on);
              void run(() => agent.setAutoAccept(on)).finally(() => setPendingAuto(null));
            }}
          />
          <p className="load">
            {t('agent.load', { load: s.load, max: s.maxCustomers })}
          </p>
          {error && <Notice kind="error">{error}</Notice>}
        </>
      ) : (
        !agent.error && <p aria-busy="true">{t('common.loading')}</p>
      )}
    </section>
  );
}

function Queues() {
  const t = useT();
  const s = useAgent().state;
  if (!s) return null;
  return (
    <section className="panel" aria-labelledby="agent-queues-h">
      <h2 id="agent-queues-h">{t('agent.queues')}</h2>
      {s.queues.length === 0 ? (
        <p className="muted">{t('agent.noQueues')}</p>
      ) : (
        <ul className="plain-list">
          {s.queues.map((q) => (
            <li key={q.id}>
              <span className="q-name">{q.name}</span> <span className="muted">{t('agent.waiting', { count: q.waiting })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Sessions() {
  const t = useT();
  const s = useAgent().state;
  if (!s) return null;
  return (
    <section className="panel" aria-labelledby="agent-sessions-h">
      <h2 id="agent-sessions-h">{t('agent.sessions')}</h2>
      {s.sessions.length === 0 ? (
        <p className="muted">{t('agent.noSessions')}</p>
      ) : (
        <ul className="plain-list">
          {s.sessions.map((x) => (
            <li key={x.sessionId}>
              <Link to={`/console/${encodeURIComponent(x.sessionId)}`}>{t('agent.openSession', { number: x.number, name: x.customerName })}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** ACD-5: what people left while the queues were closed. */
function Messages() {
  const t = useT();
  const [messages, setMessages] = useState<LeftMessage[] | null>(null);
  const { run, busy, error } = useAction();
  const load = useCallback(() => {
    void run(async () => setMessages((await api.get<{ messages: LeftMessage[] }>('/api/acd/messages')).messages));
  }, [run]);
  useEffect(load, [load]);
  return (
    <section className="panel" aria-labelledby="agent-messages-h">
      <div className="row spread">
        <h2 id="agent-messages-h">{t('agent.messages')}</h2>
        <button type="button" className="secondary small-inline" disabled={busy} onClick={load}>
          {t('agent.refresh')}
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {messages && messages.length === 0 && <p className="muted">{t('agent.noMessages')}</p>}
      {messages && messages.length > 0 && (
        <ul className="messages">
          {messages.map((m) => (
            <li key={m.id}>
              <article aria-labelledby={`msg-${m.id}`}>
                <h3 id={`msg-${m.id}`} className="h3">
                  {m.name}
                </h3>
                <p className="muted">
                  <a href={`mailto:${m.email}`}>{m.email}</a> · {m.queueName} ·{' '}
                  <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString()}</time>
                </p>
                <p className="pre">{m.problem}</p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
