import { useEffect, useState } from 'react';
import type { SessionSummary } from '@rs/protocol';
import { api } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { Link } from '../app/router.js';
import { Page } from '../app/ui.js';
import { useT } from '../i18n/index.js';

export function HomePage() {
  const t = useT();
  const { user } = useAuth();
  const [open, setOpen] = useState<SessionSummary[]>([]);
  useEffect(() => {
    if (!user?.roles.rep) return;
    api
      .get<{ sessions: SessionSummary[] }>('/api/sessions')
      .then((r) => setOpen(r.sessions))
      .catch(() => setOpen([]));
  }, [user]);
  return (
    <Page title={t('home.heading')}>
      <p>{t('home.customerIntro')}</p>
      <p>
        <Link to="/join" className="button">
          {t('nav.join')}
        </Link>
      </p>
      {user?.roles.rep && (
        <>
          <p>{t('home.repIntro')}</p>
          <p className="row">
            <Link to="/start" className="button">
              {t('nav.start')}
            </Link>
            <Link to="/assist" className="button secondary">
              {t('nav.assist')}
            </Link>
            {user.roles.agent && (
              <Link to="/inbound" className="button secondary">
                {t('nav.inbound')}
              </Link>
            )}
          </p>
          {open.length > 0 && (
            <section aria-labelledby="open-sessions">
              <h2 id="open-sessions">{t('home.yourSessions')}</h2>
              <ul>
                {open.map((s) => (
                  <li key={s.sessionId}>
                    <Link to={`/console/${s.sessionId}`}>{t('home.openConsole', { number: s.number })}</Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </Page>
  );
}
