import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ACD_LIMITS, RsError, type AcdHello, type AcdServerMessage, type HelpRequestBody, type QueuePublicInfo, type WaitingState, type WaitingTicket } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { useRouter } from '../app/router.js';
import { saveTicket } from '../app/tickets.js';
import { Notice, Page } from '../app/ui.js';
import { useI18n, useT } from '../i18n/index.js';
import { FormField, issueFields } from './fields.js';
import { acdErrorText, useAcdSocket } from './socket.js';
import './acd.css';

/**
 * A waiting person's ticket lives in this tab's sessionStorage, per queue:
 * a reload goes back to waiting; another tab or person does not.
 */
const waitingKey = (slug: string) => `rs.acd.waiting.${slug}`;

function loadWaiting(slug: string): WaitingTicket | null {
  const raw = sessionStorage.getItem(waitingKey(slug));
  if (!raw) return null;
  try {
    const t = JSON.parse(raw) as WaitingTicket;
    return typeof t.requestId === 'string' && typeof t.token === 'string' ? t : null;
  } catch {
    return null;
  }
}

/** The page the person came from: `?page=` from the embed script, else the referrer. */
function sourcePage(query: URLSearchParams): string | undefined {
  const candidate = query.get('page') ?? (document.referrer || null);
  if (!candidate || candidate.length > 2000) return undefined;
  try {
    const u = new URL(candidate);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    // Our own pages (a reload, the sign-in page) are not where the person came from.
    if (u.origin === window.location.origin && !query.get('page')) return undefined;
    return u.href;
  } catch {
    return undefined;
  }
}

type Phase =
  | { kind: 'form' }
  | { kind: 'messageSent' }
  | { kind: 'waiting'; ticket: WaitingTicket; state: Extract<WaitingState, { state: 'waiting' }> | null }
  | { kind: 'left' }
  | { kind: 'ended' };

/** ACD-1: the hosted "Get help" page of a queue, also shown in the embed script's frame (`?embed=1`). */
export function HelpPage({ slug }: { slug: string }) {
  const t = useT();
  const { lang } = useI18n();
  const { loc, navigate } = useRouter();
  const embed = loc.query.get('embed') === '1';
  const [info, setInfo] = useState<QueuePublicInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>(() => {
    const ticket = loadWaiting(slug);
    return ticket ? { kind: 'waiting', ticket, state: null } : { kind: 'form' };
  });

  // In the help script's frame, Escape closes the company page's panel as it does when focus is outside the frame.
  useEffect(() => {
    if (!embed || window.parent === window) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) window.parent.postMessage('remote-support-help:close', '*');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [embed]);

  const loadInfo = useCallback(() => {
    api
      .get<QueuePublicInfo>(`/api/acd/queues/${encodeURIComponent(slug)}/public`)
      .then((i) => {
        setInfo(i);
        setLoadError(null);
      })
      .catch((e: unknown) =>
        setLoadError(e instanceof RsError && e.code === 'RS_ERR_NOT_FOUND' ? t('help.noQueue') : errorText(e, t)),
      );
  }, [slug, t]);
  useEffect(loadInfo, [loadInfo]);

  const onWaitingState = useCallback(
    (ticket: WaitingTicket, s: WaitingState) => {
      if (s.state === 'waiting') {
        setPhase((p) => (p.kind === 'waiting' && p.ticket.requestId === ticket.requestId ? { ...p, state: s } : p));
        return;
      }
      sessionStorage.removeItem(waitingKey(slug));
      if (s.state === 'assigned') {
        saveTicket(s.ticket);
        navigate(`/session/${encodeURIComponent(s.ticket.sessionId)}${embed ? '?embed=1' : ''}`, true);
      } else if (s.state === 'left') setPhase({ kind: 'left' });
      else setPhase({ kind: 'ended' });
    },
    [slug, embed, navigate],
  );

  const title = info?.name ?? t('help.heading');
  if (phase.kind === 'waiting') return <Waiting ticket={phase.ticket} state={phase.state} embed={embed} onState={onWaitingState} />;
  if (phase.kind === 'left' || phase.kind === 'ended') {
    return (
      <Page title={phase.kind === 'left' ? t('help.left') : t('help.ended')}>
        <p>{t('help.againIntro')}</p>
        <button
          type="button"
          onClick={() => {
            setPhase({ kind: 'form' });
            loadInfo();
          }}
        >
          {t('help.again')}
        </button>
      </Page>
    );
  }
  if (loadError) {
    return (
      <Page title={t('help.heading')}>
        <Notice kind="error">{loadError}</Notice>
      </Page>
    );
  }
  if (!info) return <p aria-busy="true">{t('common.loading')}</p>;
  if (phase.kind === 'messageSent') {
    return (
      <Page title={title}>
        <Notice kind="success">{t('help.messageSent')}</Notice>
      </Page>
    );
  }
  return (
    <Page title={title}>
      {info.formText && <p className="form-text">{info.formText}</p>}
      {info.open ? (
        <RequestForm
          slug={slug}
          mode="request"
          pageUrl={sourcePage(loc.query)}
          onDone={(ticket) => {
            if (!ticket) return;
            sessionStorage.setItem(waitingKey(slug), JSON.stringify(ticket));
            setPhase({ kind: 'waiting', ticket, state: null });
          }}
          onClosed={loadInfo}
        />
      ) : (
        <>
          <Notice kind="info">
            {info.opensAt ? t('help.closedUntil', { time: formatOpening(info.opensAt, lang) }) : t('help.closed')}
          </Notice>
          <p>{t('help.leaveMessageIntro')}</p>
          <RequestForm slug={slug} mode="message" pageUrl={sourcePage(loc.query)} onDone={() => setPhase({ kind: 'messageSent' })} onClosed={loadInfo} />
        </>
      )}
    </Page>
  );
}

function formatOpening(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang, { weekday: 'long', hour: '2-digit', minute: '2-digit', month: 'long', day: 'numeric' });
}

/** "Get help" (a request into the queue) or "Leave a message" (the queue is closed): the same three fields. */
function RequestForm({
  slug,
  mode,
  pageUrl,
  onDone,
  onClosed,
}: {
  slug: string;
  mode: 'request' | 'message';
  pageUrl: string | undefined;
  onDone(ticket: WaitingTicket | null): void;
  onClosed(): void;
}) {
  const t = useT();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [bad, setBad] = useState<Set<string>>(new Set());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setBad(new Set());
    const body: HelpRequestBody = { name, email, problem, ...(pageUrl ? { pageUrl } : {}) };
    const path = `/api/acd/queues/${encodeURIComponent(slug)}/${mode === 'request' ? 'requests' : 'messages'}`;
    api
      .post<WaitingTicket>(path, body)
      .then((ticket) => onDone(mode === 'request' ? ticket : null))
      .catch((err: unknown) => {
        if (err instanceof RsError && err.code === 'RS_ERR_INVALID_STATE' && mode === 'request') {
          // Business hours ended while the form was open: show the closed page with its message form.
          setError(t('help.nowClosed'));
          onClosed();
          return;
        }
        setBad(issueFields(err));
        setError(errorText(err, t));
      })
      .finally(() => setBusy(false));
  };
  return (
    <form onSubmit={submit} className="form" noValidate aria-label={mode === 'request' ? t('help.submit') : t('help.leaveMessage')}>
      <FormField
        label={t('help.name')}
        required
        autoComplete="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={bad.has('name') ? t('help.nameInvalid') : null}
      />
      <FormField
        label={t('help.email')}
        type="email"
        required
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={bad.has('email') ? t('help.emailInvalid') : null}
      />
      <FormField
        label={t('help.problem')}
        multiline
        required
        value={problem}
        onChange={(e) => setProblem(e.target.value)}
        error={bad.has('problem') ? t('help.problemInvalid', { max: ACD_LIMITS.problem }) : null}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy}>
        {mode === 'request' ? t('help.submit') : t('help.leaveMessage')}
      </button>
    </form>
  );
}

/** ACD-2: position and estimated wait, live over /ws/acd. */
function Waiting({
  ticket,
  state,
  embed,
  onState,
}: {
  ticket: WaitingTicket;
  state: Extract<WaitingState, { state: 'waiting' }> | null;
  embed: boolean;
  onState(ticket: WaitingTicket, s: WaitingState): void;
}) {
  const t = useT();
  const { lang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const hello = useMemo<AcdHello>(() => ({ type: 'acd.hello', as: 'waiting', requestId: ticket.requestId, token: ticket.token }), [ticket]);
  const latest = useRef(onState);
  latest.current = onState;
  const onMessage = useCallback(
    (m: AcdServerMessage) => {
      if (m.type === 'acd.waiting') latest.current(ticket, m.state);
      else if (m.type === 'acd.error') {
        if (m.code === 'RS_ERR_NOT_FOUND' || m.code === 'RS_ERR_UNAUTHENTICATED' || m.code === 'RS_ERR_FORBIDDEN') latest.current(ticket, { state: 'closed' });
        else setError(acdErrorText(m, t));
      }
    },
    [ticket, t],
  );
  const connection = useAcdSocket(hello, onMessage);

  // A reload: the REST answer is quicker than the socket, and tells when the request is gone.
  useEffect(() => {
    api
      .get<WaitingState>(`/api/acd/requests/${encodeURIComponent(ticket.requestId)}?token=${encodeURIComponent(ticket.token)}`)
      .then((s) => latest.current(ticket, s))
      .catch((e: unknown) => {
        if (e instanceof RsError && (e.code === 'RS_ERR_NOT_FOUND' || e.code === 'RS_ERR_UNAUTHENTICATED' || e.code === 'RS_ERR_FORBIDDEN')) {
          latest.current(ticket, { state: 'closed' });
        }
      });
  }, [ticket]);

  const leave = () => {
    setLeaving(true);
    setError(null);
    api
      .post<WaitingState>(`/api/acd/requests/${encodeURIComponent(ticket.requestId)}/leave`, { token: ticket.token })
      .then((s) => onState(ticket, s.state === 'waiting' ? { state: 'left' } : s))
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setLeaving(false));
  };

  const minutes = state?.estimatedWaitSeconds != null ? Math.max(1, Math.round(state.estimatedWaitSeconds / 60)) : null;
  const status =
    connection.state === 'open'
      ? null
      : connection.state === 'reconnecting'
        ? t('conn.reconnecting')
        : connection.state === 'closed'
          ? t('conn.closed')
          : t('conn.connecting');
  return (
    <Page title={t('help.inQueue')}>
      <p className={status ? 'conn conn-connecting' : 'visually-hidden'} role="status">
        {status}
      </p>
      <div className={embed ? 'queue-status compact' : 'queue-status'} role="status" aria-live="polite" aria-atomic="true">
        {state ? (
          <>
            <p className="queue-position">{t('help.position', { position: state.position })}</p>
            <p>
              {minutes === null
                ? t('help.waitUnknown')
                : minutes === 1
                  ? t('help.waitMinute')
                  : t('help.waitMinutes', { minutes: minutes.toLocaleString(lang) })}
            </p>
          </>
        ) : (
          <p>{t('common.loading')}</p>
        )}
      </div>
      <p className="hint">{t('help.keepOpen')}</p>
      <div className="spinner" aria-hidden="true" />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="button" className="secondary" disabled={leaving} onClick={leave}>
        {t('help.leaveQueue')}
      </button>
    </Page>
  );
}
