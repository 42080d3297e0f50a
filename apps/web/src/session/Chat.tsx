import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { SessionClient } from '@rs/client';
import { LIMITS, presentParticipants, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/** CHAT-1: to everyone or privately to one participant. Text is rendered as text, never as HTML. */
export function Chat({ view, me, client, disabled }: { view: SessionView; me: string | null; client: SessionClient | null; disabled: boolean }) {
  const t = useT();
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const logRef = useRef<HTMLOListElement>(null);
  const msgId = useId();
  const toId = useId();
  const myKind = me ? view.participants[me]?.kind : undefined;
  const recipients = presentParticipants(view).filter((p) => p.id !== me && (myKind === 'rep' || p.kind === 'rep'));
  const name = (id: string) => view.participants[id]?.name ?? '?';
  const tooLong = text.length > LIMITS.chatText;

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [view.chat.length]);
  useEffect(() => {
    if (to && !recipients.some((r) => r.id === to)) setTo('');
  }, [to, recipients]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!client || !text.trim() || tooLong) return;
    setSending(true);
    setError(null);
    try {
      await client.sendChat(text, to || undefined);
      // Cleared only once the server has stored it: a failed send keeps the text.
      setText('');
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="panel chat" aria-labelledby="chat-h">
      <h2 id="chat-h">{t('chat.heading')}</h2>
      <ol className="chat-log" ref={logRef} aria-label={t('chat.log')} aria-live="polite" tabIndex={0}>
        {view.chat.length === 0 && <li className="muted">{t('chat.empty')}</li>}
        {view.chat.map((m) => (
          <li key={m.messageId} className={m.from === me ? 'mine' : undefined}>
            <span className="chat-meta">
              <strong>{name(m.from)}</strong>
              {m.to && <em> {m.from === me ? t('chat.private', { name: name(m.to) }) : t('chat.privateFrom')}</em>}{' '}
              <time dateTime={m.at}>{new Date(m.at).toLocaleTimeString()}</time>
            </span>
            <span className="chat-text">{m.text}</span>
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => void send(e)} className="chat-form">
        <div className="field">
          <label htmlFor={toId}>{t('chat.to')}</label>
          <select id={toId} value={to} onChange={(e) => setTo(e.target.value)} disabled={disabled}>
            <option value="">{t('chat.everyone')}</option>
            {recipients.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={msgId}>{t('chat.message')}</label>
          <textarea
            id={msgId}
            rows={2}
            value={text}
            disabled={disabled}
            aria-invalid={tooLong}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void send(e);
              }
            }}
          />
        </div>
        <button type="submit" disabled={disabled || sending || !text.trim() || tooLong}>
          {t('chat.send')}
        </button>
      </form>
      {tooLong && <Notice kind="error">{t('chat.tooLong', { max: LIMITS.chatText, count: text.length })}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
