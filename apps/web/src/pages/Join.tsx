import { useState, type FormEvent } from 'react';
import type { SessionTicket } from '@rs/protocol';
import { api } from '../app/api.js';
import { useRouter } from '../app/router.js';
import { saveTicket } from '../app/tickets.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function JoinPage() {
  const t = useT();
  const { loc, navigate } = useRouter();
  const [number, setNumber] = useState(loc.query.get('number') ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const { run, busy, error } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const ticket = await api.post<SessionTicket>('/api/join', {
        number: number.replace(/\D/g, ''),
        name,
        ...(email ? { email } : {}),
      });
      saveTicket(ticket);
      navigate(`/session/${ticket.sessionId}`);
    });
  };
  return (
    <Page title={t('join.heading')}>
      <p>{t('join.intro')}</p>
      <form onSubmit={submit} className="form">
        <Field
          label={t('join.number')}
          hint={t('join.numberHelp')}
          inputMode="numeric"
          autoComplete="off"
          required
          value={number}
          onChange={(e) => setNumber(e.target.value)}
        />
        <Field label={t('join.name')} required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        <Field label={`${t('join.email')} ${t('common.optional')}`} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {t('join.submit')}
        </button>
      </form>
    </Page>
  );
}
