import { useEffect, useState } from 'react';
import type { OutboxMessage } from '@rs/protocol';
import { api } from '../app/api.js';
import { Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function OutboxPage() {
  const t = useT();
  const [data, setData] = useState<{ mode: 'smtp' | 'outbox'; messages: OutboxMessage[] } | null>(null);
  const { run, error } = useAction();
  useEffect(() => {
    void run(async () => setData(await api.get('/api/outbox')));
  }, [run]);
  return (
    <Page title={t('outbox.heading')} wide>
      {error && <Notice kind="error">{error}</Notice>}
      {data && <p>{data.mode === 'smtp' ? t('outbox.smtpOn') : t('outbox.intro')}</p>}
      {data && data.messages.length === 0 && <p className="muted">{t('outbox.empty')}</p>}
      {data?.messages.map((m) => (
        <article key={m.id} className="panel">
          <h2 className="h3">{m.subject}</h2>
          <p>
            <strong>{t('outbox.to')}</strong> {m.to} · <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString()}</time>
          </p>
          <pre className="mail">{m.text}</pre>
        </article>
      ))}
    </Page>
  );
}
