import { useState, type FormEvent } from 'react';
import type { SessionSummary } from '@rs/protocol';
import { api } from '../app/api.js';
import { useRouter } from '../app/router.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function AssistPage() {
  const t = useT();
  const { navigate } = useRouter();
  const [number, setNumber] = useState('');
  const { run, busy, error } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const s = await api.post<SessionSummary>('/api/sessions/assist', { number: number.replace(/\D/g, '') });
      navigate(`/console/${s.sessionId}`);
    });
  };
  return (
    <Page title={t('assist.heading')}>
      <p>{t('assist.intro')}</p>
      <form onSubmit={submit} className="form">
        <Field label={t('join.number')} hint={t('join.numberHelp')} inputMode="numeric" required value={number} onChange={(e) => setNumber(e.target.value)} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {t('assist.submit')}
        </button>
      </form>
    </Page>
  );
}
