import { useState, type FormEvent } from 'react';
import type { Me } from '@rs/protocol';
import { api } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { useRouter } from '../app/router.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function SetupPage() {
  const t = useT();
  const { adopt } = useAuth();
  const { loc, navigate } = useRouter();
  const token = loc.query.get('token');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, busy, error } = useAction();
  if (!token) {
    return (
      <Page title={t('setup.heading')}>
        <Notice kind="info">{t('setup.noToken')}</Notice>
      </Page>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      adopt(await api.post<Me>('/api/setup', { token, name, email, password }));
      navigate('/users', true);
    });
  };
  return (
    <Page title={t('setup.heading')}>
      <p>{t('setup.intro')}</p>
      <form onSubmit={submit} className="form">
        <Field label={t('setup.name')} required value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
        <Field label={t('signIn.email')} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
        <Field
          label={t('signIn.password')}
          type="password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </Page>
  );
}
