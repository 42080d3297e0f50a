import { useState, type FormEvent } from 'react';
import type { SessionSummary, SessionTicket } from '@rs/protocol';
import { api } from '../app/api.js';
import { useRouter } from '../app/router.js';
import { Check, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function StartPage() {
  const t = useT();
  const { navigate } = useRouter();
  const [email, setEmail] = useState(false);
  const { run, busy, error } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const s = await api.post<SessionSummary & { ticket: SessionTicket }>('/api/sessions', {});
      // S-7: with "E-mail" checked the invite dialog opens as soon as the console is up.
      navigate(`/console/${s.sessionId}${email ? '?invite=1' : ''}`);
    });
  };
  return (
    <Page title={t('start.heading')}>
      <p>{t('start.intro')}</p>
      <form onSubmit={submit} className="form">
        <Check label={t('start.email')} hint={t('start.emailHint')} checked={email} onChange={(e) => setEmail(e.target.checked)} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? t('start.working') : t('start.submit')}
        </button>
      </form>
    </Page>
  );
}
