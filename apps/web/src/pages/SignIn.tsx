import { useState, type FormEvent } from 'react';
import { useAuth } from '../app/auth.js';
import { useRouter } from '../app/router.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

/** Only same-site paths: `next` comes from the URL and must not send people elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const t = useT();
  const { signIn } = useAuth();
  const { loc, navigate } = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, busy, error } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await signIn(email, password);
      navigate(safeNext(loc.query.get('next')), true);
    });
  };
  return (
    <Page title={t('signIn.heading')}>
      <form onSubmit={submit} className="form">
        <Field label={t('signIn.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field
          label={t('signIn.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.working') : t('signIn.submit')}
        </button>
      </form>
    </Page>
  );
}
