import { useEffect, type ReactNode } from 'react';
import type { Language } from '@rs/protocol';
import { LANGUAGE_NAMES, useI18n, useT } from '../i18n/index.js';
import { useAuth } from './auth.js';
import { Link, match, useRouter } from './router.js';
import { Page } from './ui.js';
import { HomePage } from '../pages/Home.js';
import { SignInPage } from '../pages/SignIn.js';
import { SetupPage } from '../pages/Setup.js';
import { StartPage } from '../pages/Start.js';
import { JoinPage } from '../pages/Join.js';
import { AssistPage } from '../pages/Assist.js';
import { InvitationPage } from '../pages/Invitation.js';
import { DownloadsPage } from '../pages/Downloads.js';
import { ConsolePage } from '../session/ConsolePage.js';
import { CustomerPage } from '../session/CustomerPage.js';
import { UsersPage } from '../admin/UsersPage.js';
import { SettingsPage } from '../admin/SettingsPage.js';
import { OutboxPage } from '../admin/OutboxPage.js';
import { ReportsPage } from '../admin/ReportsPage.js';
import { AgentProvider } from '../acd/agent.js';
import { HelpPage } from '../acd/HelpPage.js';
import { InboundPage } from '../acd/InboundPage.js';
import { AgentOffers } from '../acd/Offers.js';
import { QueueReportPage } from '../acd/QueueReportPage.js';
import { QueuesPage } from '../acd/QueuesPage.js';

type Need = 'none' | 'rep' | 'admin';

function Guard({ need, children }: { need: Need; children: ReactNode }) {
  const { user, loading } = useAuth();
  const { loc, navigate } = useRouter();
  const t = useT();
  const missing = need !== 'none' && !loading && !user;
  useEffect(() => {
    if (missing) navigate(`/sign-in?next=${encodeURIComponent(loc.path + window.location.search)}`, true);
  }, [missing, loc.path, navigate]);
  if (need === 'none') return <>{children}</>;
  if (loading || !user) return <p aria-busy="true">{t('common.loading')}</p>;
  if ((need === 'admin' && !user.roles.admin) || (need === 'rep' && !user.roles.rep)) {
    return (
      <Page title={t('common.forbidden')}>
        <Link to="/">{t('console.backHome')}</Link>
      </Page>
    );
  }
  return <>{children}</>;
}

function Routes() {
  const { loc } = useRouter();
  const t = useT();
  const p = loc.path;
  let m: Record<string, string> | null;
  if (p === '/') return <HomePage />;
  if (p === '/sign-in') return <SignInPage />;
  if (p === '/setup') return <SetupPage />;
  if (p === '/join') return <JoinPage />;
  if (p === '/downloads') return <DownloadsPage />;
  if (p === '/start') return <Guard need="rep"><StartPage /></Guard>;
  if (p === '/assist') return <Guard need="rep"><AssistPage /></Guard>;
  if (p === '/reports') return <Guard need="rep"><ReportsPage /></Guard>;
  if (p === '/users') return <Guard need="admin"><UsersPage /></Guard>;
  if (p === '/settings') return <Guard need="admin"><SettingsPage /></Guard>;
  if (p === '/outbox') return <Guard need="admin"><OutboxPage /></Guard>;
  if (p === '/inbound') return <Guard need="rep"><InboundPage /></Guard>;
  if (p === '/admin/queues') return <Guard need="admin"><QueuesPage /></Guard>;
  if (p === '/reports/queues') return <Guard need="admin"><QueueReportPage /></Guard>;
  if ((m = match('/help/:slug', p))) return <HelpPage key={m.slug} slug={m.slug!} />;
  if ((m = match('/console/:id', p))) return <Guard need="rep"><ConsolePage key={m.id} sessionId={m.id!} /></Guard>;
  if ((m = match('/session/:id', p))) return <CustomerPage sessionId={m.id!} />;
  if ((m = match('/invite/:token', p))) return <InvitationPage token={m.token!} />;
  return (
    <Page title={t('common.notFound')}>
      <Link to="/">{t('console.backHome')}</Link>
    </Page>
  );
}

function Nav() {
  const t = useT();
  const { lang, setLang } = useI18n();
  const { user, signOut } = useAuth();
  const { navigate } = useRouter();
  const rep = user?.roles.rep ?? false;
  const admin = user?.roles.admin ?? false;
  const agent = user?.roles.agent ?? false;
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        {t('app.title')}
      </Link>
      <nav aria-label={t('nav.main')}>
        <ul>
          {rep && <li><Link to="/start">{t('nav.start')}</Link></li>}
          <li><Link to="/join">{t('nav.join')}</Link></li>
          {rep && <li><Link to="/assist">{t('nav.assist')}</Link></li>}
          {agent && <li><Link to="/inbound">{t('nav.inbound')}</Link></li>}
          {(rep || admin) && <li><Link to="/reports">{t('nav.reports')}</Link></li>}
          {admin && <li><Link to="/users">{t('nav.users')}</Link></li>}
          {admin && <li><Link to="/admin/queues">{t('nav.queues')}</Link></li>}
          {admin && <li><Link to="/settings">{t('nav.settings')}</Link></li>}
          {admin && <li><Link to="/outbox">{t('nav.outbox')}</Link></li>}
        </ul>
      </nav>
      <div className="topbar-end">
        <label className="lang">
          <span>{t('nav.language')}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as Language)}>
            {(Object.keys(LANGUAGE_NAMES) as Language[]).map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        {user ? (
          <>
            <span className="who">{t('nav.signedInAs', { name: user.name })}</span>
            <button
              type="button"
              className="link-button"
              onClick={() => void signOut().then(() => navigate('/'))}
            >
              {t('nav.signOut')}
            </button>
          </>
        ) : (
          <Link to="/sign-in">{t('nav.signIn')}</Link>
        )}
      </div>
    </header>
  );
}

export function App() {
  const { loc } = useRouter();
  // The help page and the session it leads to, inside the embed script's frame: no site header, compact.
  const embed = loc.query.get('embed') === '1' && (loc.path.startsWith('/help/') || loc.path.startsWith('/session/'));
  return (
    <AgentProvider>
      {!embed && <Nav />}
      <main id="main" className={embed ? 'embed' : undefined}>
        {/* An agent's offers reach them on every page; the Inbound page shows them in its panel. */}
        {!embed && loc.path !== '/inbound' && <AgentOffers global />}
        <Routes />
      </main>
    </AgentProvider>
  );
}
