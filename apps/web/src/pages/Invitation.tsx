import { useEffect, useState, type FormEvent } from 'react';
import type { InvitationInfo, SessionTicket } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { Link, useRouter } from '../app/router.js';
import { saveTicket } from '../app/tickets.js';
import { Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

/** Where an invitation link lands: customers type their name and are in; reps sign in first. */
export function InvitationPage({ token }: { token: string }) {
  const t = useT();
  const { user, loading } = useAuth();
  const { navigate } = useRouter();
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const { run, busy, error } = useAction();
  useEffect(() => {
    api
      .get<InvitationInfo>(`/api/invitations/${encodeURIComponent(token)}`)
      .then(setInfo)
      .catch((e: unknown) => setLoadError(errorText(e, t)));
  }, [token, t]);

  const accept = (e?: FormEvent) => {
    e?.preventDefault();
    void run(async () => {
      const ticket = await api.post<SessionTicket>(`/api/invitations/${encodeURIComponent(token)}/accept`, info?.invitee === 'customer' ? { name } : {});
      if (info?.invitee === 'rep') navigate(`/console/${ticket.sessionId}`, true);
      else {
        saveTicket(ticket);
        navigate(`/session/${ticket.sessionId}`, true);
      }
    });
  };

  if (loadError) {
    return (
      <Page title={t('invite.heading')}>
        <Notice kind="error">{loadError}</Notice>
      </Page>
    );
  }
  if (!info || loading) return <p aria-busy="true">{t('common.loading')}</p>;
  if (!info.open) {
    return (
      <Page title={t('invite.heading')}>
        <Notice kind="info">{t('invite.closed')}</Notice>
      </Page>
    );
  }
  if (info.invitee === 'rep') {
    return (
      <Page title={t('invite.heading')}>
        <p>{t('invite.asRep', { name: info.invitedBy, number: info.number })}</p>
        {user ? (
          <>
            {error && <Notice kind="error">{error}</Notice>}
            <button type="button" onClick={() => accept()} disabled={busy}>
              {t('invite.join')}
            </button>
          </>
        ) : (
          <p>
            <Link to={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`} className="button">
              {t('nav.signIn')}
            </Link>{' '}
            {t('invite.signInFirst')}
          </p>
        )}
      </Page>
    );
  }
  return (
    <Page title={t('invite.heading')}>
      <p>{t('invite.fromRep', { name: info.invitedBy, number: info.number })}</p>
      <form onSubmit={accept} className="form">
        <Field label={t('join.name')} required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {t('invite.join')}
        </button>
      </form>
    </Page>
  );
}
