import { useEffect, useMemo, useState } from 'react';
import { awaitingTransfer, CLOSE_CODES, type SessionSummary, type SessionTicket, type SiteSettings } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { Link, useRouter } from '../app/router.js';
import { Dialog, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';
import { Chat } from './Chat.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { InviteDialog } from './InviteDialog.js';
import { Notes } from './Notes.js';
import { Participants } from './Participants.js';
import { Tabs } from './Tabs.js';
import { TransferDialog } from './TransferDialog.js';
import { useSession } from './useSession.js';
import { WaitingList } from './WaitingList.js';
import { ConsentPrompt } from '../media/ConsentPrompt.js';
import { MediaStage } from '../media/MediaStage.js';
import { SessionOptions } from '../media/SessionOptions.js';
import { ShareNotices, ShareTab } from '../media/ShareTab.js';
import { SharingBar } from '../media/SharingBar.js';
import { useMedia } from '../media/useMedia.js';
import { VideoControls } from '../media/VideoControls.js';
import { VoiceControls } from '../media/VoiceControls.js';
import { FilesPanel } from '../files/FilesPanel.js';
import { FolderSection } from '../folder/FolderSection.js';
import { api as repApi } from '../app/api.js';
import { RequestPanel } from '../acd/RequestPanel.js';
import { TransferSessionDialog } from '../acd/TransferSessionDialog.js';
import { useLiveConsole } from '../acd/agent.js';

type Info = SessionSummary & { ticket: SessionTicket; role: string };
type TabKey = 'tools' | 'desktop' | 'application' | 'session';

/** C-1: the CSR dashboard. Control functions show only for the rep in control. */
export function ConsolePage({ sessionId }: { sessionId: string }) {
  const t = useT();
  const { loc, navigate } = useRouter();
  const [info, setInfo] = useState<Info | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [grace, setGrace] = useState(60);
  const [tab, setTab] = useState<TabKey>('tools');
  const [sinkId, setSinkId] = useState('');
  const { user } = useAuth();
  const agent = user?.roles.agent ?? false;
  // SES-4: set when this rep handed the session on; the server then removes them.
  const [transferred, setTransferred] = useState(false);
  const [dialog, setDialog] = useState<'invite' | 'transfer' | 'transferSession' | 'end' | 'leave' | 'options' | null>(loc.query.get('invite') === '1' ? 'invite' : null);
  const [copied, setCopied] = useState(false);
  const action = useAction();

  useEffect(() => {
    api
      .get<Info>(`/api/sessions/${sessionId}/ticket`)
      .then(setInfo)
      .catch((e: unknown) => setLoadError(errorText(e, t)));
    api
      .get<SiteSettings>('/api/settings')
      .then((s) => setGrace(s.reconnectGraceSeconds))
      .catch(() => undefined);
  }, [sessionId, t]);

  // S-7 opens the invite dialog once: when it closes, drop the flag so a reload does not reopen it.
  const inviteFlag = loc.query.get('invite') === '1';
  useEffect(() => {
    if (inviteFlag && dialog !== 'invite') navigate(`/console/${sessionId}`, true);
  }, [inviteFlag, dialog, navigate, sessionId]);

  const ticket = useMemo(() => info?.ticket ?? null, [info]);
  const { client, view, connection, me } = useSession(ticket);
  const media = useMedia(client);
  useLiveConsole(
    sessionId,
    !!view &&
      view.status.state === 'open' &&
      connection.state !== 'closed' &&
      !transferred &&
      !(me !== null && view.participants[me]?.status === 'left'),
  );

  if (loadError) {
    return (
      <Page title={t('console.sessionEnded')}>
        <Notice kind="error">{loadError}</Notice>
        <Link to="/">{t('console.backHome')}</Link>
      </Page>
    );
  }
  if (!info || !view) {
    return (
      <div className="page">
        <ConnectionBanner connection={connection} />
        <p aria-busy="true">{t('common.loading')}</p>
      </div>
    );
  }

  const left = (connection.state === 'closed' && connection.code === CLOSE_CODES.LEFT) || (me !== null && view.participants[me]?.status === 'left');
  if (transferred || (left && view.sessionTransfers.some((x) => x.by === me))) {
    return (
      <Page title={t('console.youTransferred')}>
        <Notice kind="success">{t('console.youTransferredDetail')}</Notice>
        <Link to={agent ? '/inbound' : '/'}>{agent ? t('console.backInbound') : t('console.backHome')}</Link>
      </Page>
    );
  }
  const ended = view.status.state === 'ended' || (connection.state === 'closed' && connection.code === CLOSE_CODES.SESSION_ENDED);
  if (ended) {
    return (
      <Page title={t('console.sessionEnded')}>
        <Notice kind="info">{t('console.sessionEnded')}</Notice>
        <Link to="/">{t('console.backHome')}</Link>
      </Page>
    );
  }
  if (connection.state === 'closed' && connection.code === CLOSE_CODES.LEFT) {
    return (
      <Page title={t('customer.left')}>
        <Link to="/">{t('console.backHome')}</Link>
      </Page>
    );
  }

  const isPrimary = view.primaryId === me;
  const offline = connection.state !== 'open';

  const copyLink = async () => {
    await navigator.clipboard?.writeText(info.joinUrl).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };

  return (
    <div className="console">
      <ConnectionBanner connection={connection} />
      <section className="session-head" aria-labelledby="session-number-h">
        <div>
          <h1 id="session-number-h" className="label-small">
            {t('console.sessionNumber')}
          </h1>
          <p className="session-number" aria-describedby="session-number-h">
            {view.number.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3')}
          </p>
        </div>
        <div className="join-link">
          <label htmlFor="join-link" className="label-small">
            {t('console.joinLink')}
          </label>
          <div className="row">
            <input id="join-link" readOnly value={info.joinUrl} onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" onClick={() => void copyLink()}>
              {t('console.copyJoinLink')}
            </button>
            {copied && <span role="status">{t('console.copied')}</span>}
          </div>
          <p className="hint">{t('console.phoneLine', { site: info.siteUrl, number: view.number })}</p>
        </div>
      </section>
      <p className="keep-open">{t('console.keepOpen', { seconds: grace })}</p>
      <p className="role-line">{isPrimary ? t('console.youControl') : t('console.youAssist')}</p>
      {awaitingTransfer(view) && <Notice kind="info">{t('console.awaitingTransfer')}</Notice>}

      <div className="console-grid">
        <div className="console-main">
          {isPrimary && <WaitingList view={view} client={client} disabled={offline} />}
          <ConsentPrompt view={view} me={me} client={client} controller={media.controller} />
          <SharingBar view={view} me={me} client={client} />
          <ShareNotices view={view} me={me} />
          <MediaStage view={view} me={me} controller={media.controller} remotes={media.remotes} sinkId={sinkId} />
          <Tabs<TabKey>
            label={t('console.tabs')}
            tabs={[
              { key: 'tools', label: t('console.tab.tools') },
              ...(isPrimary
                ? ([
                    { key: 'desktop', label: t('console.tab.desktop') },
                    { key: 'application', label: t('console.tab.application') },
                  ] as const)
                : []),
              { key: 'session', label: t('console.tab.session') },
            ]}
            active={tab}
            onChange={setTab}
          >
            {tab === 'tools' || (!isPrimary && tab !== 'session') ? (
              <div className="tool-buttons">
                {isPrimary && (
                  <button type="button" onClick={() => setDialog('invite')} disabled={offline}>
                    {t('console.invite')}
                  </button>
                )}
                <VideoControls view={view} me={me} client={client} controller={media.controller} />
                <VoiceControls
                  view={view}
                  me={me}
                  client={client}
                  controller={media.controller}
                  quality={media.quality}
                  sinkId={sinkId}
                  onSinkId={setSinkId}
                />
                <FilesPanel view={view} me={me} api={repApi} sessionId={sessionId} role="rep" />
                <FolderSection view={view} me={me} client={client} controller={media.controller} />
                <Notes view={view} client={client} disabled={offline} />
              </div>
            ) : tab === 'desktop' || tab === 'application' ? (
              <ShareTab area={tab === 'desktop' ? 'desktop' : 'app'} view={view} me={me} client={client} controller={media.controller} />
            ) : (
              <div className="tool-buttons">
                {isPrimary && (
                  <button type="button" onClick={() => setDialog('options')} disabled={offline}>
                    {t('media.sessionOptions')}
                  </button>
                )}
                {isPrimary && (
                  <button type="button" onClick={() => setDialog('transfer')} disabled={offline}>
                    {t('console.transferControl')}
                  </button>
                )}
                {isPrimary && agent && (
                  <button type="button" onClick={() => setDialog('transferSession')} disabled={offline}>
                    {t('console.transferSession')}
                  </button>
                )}
                {isPrimary ? (
                  <button type="button" className="danger" onClick={() => setDialog('end')} disabled={offline}>
                    {t('console.endSession')}
                  </button>
                ) : (
                  <button type="button" className="danger" onClick={() => setDialog('leave')} disabled={offline}>
                    {t('console.leaveSession')}
                  </button>
                )}
              </div>
            )}
          </Tabs>
        </div>
        <aside className="console-side">
          <RequestPanel view={view} me={me} />
          <Participants view={view} me={me} client={client} quality={media.quality} failed={media.failed} />
          <Chat view={view} me={me} client={client} disabled={offline} />
        </aside>
      </div>

      <InviteDialog sessionId={sessionId} open={dialog === 'invite' && isPrimary} onClose={() => setDialog(null)} />
      <SessionOptions view={view} client={client} open={dialog === 'options' && isPrimary} onClose={() => setDialog(null)} />
      <TransferDialog
        view={view}
        me={me}
        client={client}
        open={dialog === 'transfer' && isPrimary}
        // The dialog's own close event comes after a switch to Transfer session: it must not close that one.
        onClose={() => setDialog((d) => (d === 'transfer' ? null : d))}
        onTransferSession={agent ? () => setDialog('transferSession') : undefined}
      />
      <TransferSessionDialog
        sessionId={sessionId}
        open={dialog === 'transferSession' && isPrimary && agent}
        onClose={() => setDialog((d) => (d === 'transferSession' ? null : d))}
        onTransferred={() => {
          setDialog(null);
          setTransferred(true);
        }}
      />
      <Dialog title={t('console.endSession')} open={dialog === 'end'} onClose={() => setDialog(null)}>
        <p>{t('console.endConfirm')}</p>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <div className="row end">
          <button type="button" className="secondary" onClick={() => setDialog(null)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="danger" disabled={action.busy} onClick={() => void action.run(async () => client?.endSession())}>
            {t('console.endSession')}
          </button>
        </div>
      </Dialog>
      <Dialog title={t('console.leaveSession')} open={dialog === 'leave'} onClose={() => setDialog(null)}>
        <p>{t('console.leaveConfirm')}</p>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <div className="row end">
          <button type="button" className="secondary" onClick={() => setDialog(null)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="danger"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                await client?.leave();
                navigate('/');
              })
            }
          >
            {t('console.leaveSession')}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
