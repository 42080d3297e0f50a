import { useMemo, useState } from 'react';
import { awaitingTransfer, CLOSE_CODES } from '@rs/protocol';
import { Link, useRouter } from '../app/router.js';
import { loadTicket } from '../app/tickets.js';
import { Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';
import { Chat } from './Chat.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { Participants } from './Participants.js';
import { useSession } from './useSession.js';
import { ConsentPrompt } from '../media/ConsentPrompt.js';
import { MediaStage } from '../media/MediaStage.js';
import { ShareNotices } from '../media/ShareTab.js';
import { SharingBar } from '../media/SharingBar.js';
import { SupportManagerPanel } from '../media/SupportManagerPanel.js';
import { useMedia } from '../media/useMedia.js';
import { VideoControls } from '../media/VideoControls.js';
import { VoiceControls } from '../media/VoiceControls.js';
import { FilesPanel } from '../files/FilesPanel.js';
import { FolderSection } from '../folder/FolderSection.js';
import { ApiClient } from '@rs/client';

/** CUS-1: the customer's page of a session. */
export function CustomerPage({ sessionId }: { sessionId: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const ticket = useMemo(() => loadTicket(sessionId), [sessionId]);
  const { client, view, connection, me } = useSession(ticket);
  const media = useMedia(client);
  // Customers have no account: their REST calls carry the participant token.
  const customerApi = useMemo(() => new ApiClient('', undefined, (): Record<string, string> => (ticket ? { 'x-participant-token': ticket.token } : {})), [ticket]);
  const [sinkId, setSinkId] = useState('');
  const leave = useAction();

  if (!ticket) {
    return (
      <Page title={t('join.heading')}>
        <Notice kind="info">{t('customer.noTicket')}</Notice>
        <Link to="/join" className="button">
          {t('nav.join')}
        </Link>
      </Page>
    );
  }
  const closed = connection.state === 'closed' ? connection.code : null;
  const mine = me && view ? view.participants[me] : undefined;
  if (view?.status.state === 'ended' || closed === CLOSE_CODES.SESSION_ENDED) {
    return (
      <Page title={t('customer.ended')}>
        <Notice kind="info">{t('customer.ended')}</Notice>
      </Page>
    );
  }
  if (mine?.status === 'denied' || closed === CLOSE_CODES.FORBIDDEN) {
    return (
      <Page title={t('customer.denied')}>
        <Notice kind="error">{t('customer.denied')}</Notice>
      </Page>
    );
  }
  if (closed === CLOSE_CODES.LEFT || mine?.status === 'left') {
    return (
      <Page title={t('customer.left')}>
        <Link to="/">{t('console.backHome')}</Link>
      </Page>
    );
  }
  if (closed === CLOSE_CODES.UNAUTHENTICATED || closed === CLOSE_CODES.NOT_FOUND) {
    return (
      <Page title={t('customer.linkInvalid')}>
        <Notice kind="error">{t('customer.linkInvalid')}</Notice>
      </Page>
    );
  }
  if (closed === CLOSE_CODES.CLIENT_TOO_OLD) {
    return (
      <Page title={t('customer.outdated')}>
        <Notice kind="error">{t('customer.outdated')}</Notice>
      </Page>
    );
  }
  if (!view || !mine) {
    return (
      <div className="page">
        <ConnectionBanner connection={connection} />
        <p aria-busy="true">{t('common.loading')}</p>
      </div>
    );
  }
  const leaveButton = (
    <button
      type="button"
      className="secondary"
      disabled={leave.busy}
      onClick={() =>
        void leave.run(async () => {
          await client?.leave();
          navigate('/');
        })
      }
    >
      {t('console.leaveSession')}
    </button>
  );
  if (mine.status === 'waiting') {
    return (
      <Page title={t('join.heading')}>
        <ConnectionBanner connection={connection} />
        <Notice kind="info">{t('customer.waiting')}</Notice>
        <div className="spinner" aria-hidden="true" />
        {leaveButton}
      </Page>
    );
  }
  return (
    <div className="console">
      <ConnectionBanner connection={connection} />
      <h1>{t('customer.welcome', { number: view.number })}</h1>
      {awaitingTransfer(view) && (
        // SES-4: the rep handed the session on; it goes on as soon as the next agent takes it.
        <div className="transfer-wait">
          <Notice kind="info">{t('customer.beingTransferred')}</Notice>
          <div className="spinner" aria-hidden="true" />
        </div>
      )}
      <div className="console-grid">
        <div className="console-main">
          <ConsentPrompt view={view} me={me} client={client} controller={media.controller} />
          <SharingBar view={view} me={me} client={client} />
          <SupportManagerPanel view={view} me={me} api={customerApi} sessionId={sessionId} />
          <ShareNotices view={view} me={me} />
          <MediaStage view={view} me={me} controller={media.controller} remotes={media.remotes} sinkId={sinkId} />
          <div className="panel tool-buttons">
            <VideoControls view={view} me={me} client={client} controller={media.controller} />
            <VoiceControls view={view} me={me} client={client} controller={media.controller} quality={media.quality} sinkId={sinkId} onSinkId={setSinkId} />
          </div>
          <FilesPanel view={view} me={me} api={customerApi} sessionId={sessionId} role="customer" />
          <FolderSection view={view} me={me} client={client} controller={media.controller} />
          {leave.error && <Notice kind="error">{leave.error}</Notice>}
          {leaveButton}
        </div>
        <aside className="console-side">
          <Participants view={view} me={me} quality={media.quality} failed={media.failed} />
          <Chat view={view} me={me} client={client} disabled={connection.state !== 'open'} />
        </aside>
      </div>
    </div>
  );
}
