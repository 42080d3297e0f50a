import { useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { MediaController } from '@rs/client/media';
import { activeActivities, currentCustomerId, throughDevice, type ConsentVia, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { FolderBrowser } from './FolderBrowser.js';
import { FolderDeviceView } from './FolderDeviceView.js';
import { FolderHostView } from './FolderHostView.js';

/**
 * FT-2 on either page: the rep asks and browses; the customer serves the
 * folder they picked, or — asked through Support Manager — their Support
 * Manager serves their home folder and the page asks them before each write.
 */
export function FolderSection({ view, me, client, controller }: { view: SessionView; me: string | null; client: SessionClient | null; controller: MediaController | null }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const folder = activeActivities(view).find((a) => a.kind === 'folder');
  const asker = folder?.requestId ? view.consents[folder.requestId]?.from : undefined;
  if (folder && folder.sharer === me) {
    return throughDevice(folder) ? (
      <FolderDeviceView activity={folder} view={view} controller={controller} client={client} />
    ) : (
      <FolderHostView activity={folder} view={view} controller={controller} client={client} />
    );
  }
  if (folder && asker === me) {
    if (throughDevice(folder) && !folder.deviceId) return <FolderWaiting activityId={folder.activityId} client={client} />;
    return <FolderBrowser activity={folder} view={view} controller={controller} client={client} />;
  }
  const isPrimary = view.primaryId === me;
  if (!isPrimary || view.participants[me ?? '']?.kind !== 'rep') return null;
  const customerId = currentCustomerId(view);
  const last = Object.values(view.consents)
    .filter((c) => c.from === me && c.kind === 'folder.access')
    .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
  const pending = last?.state === 'pending';
  const ask = (via?: ConsentVia) =>
    void client?.request({ type: 'consent.request', kind: 'folder.access', to: customerId!, ...(via ? { via } : {}) }).catch((e: unknown) => setError(errorText(e, t)));
  return (
    <div className="tool-buttons">
      <button type="button" disabled={!customerId || pending || !!folder} onClick={() => ask()}>
        {t('folder.request')}
      </button>
      <small className="hint">{t('folder.requestHint')}</small>
      <button type="button" disabled={!customerId || pending || !!folder} onClick={() => ask('support-manager')}>
        {t('folder.requestDevice')}
      </button>
      <small className="hint">{t('folder.requestDeviceHint')}</small>
      {last?.unsupported && <Notice kind="info">{t('folder.unsupported')}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

/** The rep asked through Support Manager: the customer still has to start it with the link their page shows. */
function FolderWaiting({ activityId, client }: { activityId: string; client: SessionClient | null }) {
  const t = useT();
  return (
    <section className="panel" aria-labelledby="folder-waiting-h">
      <h2 id="folder-waiting-h">{t('folder.heading')}</h2>
      <p role="status">{t('folder.waitingDevice')}</p>
      <button type="button" className="danger" onClick={() => void client?.request({ type: 'activity.stop', activityId }).catch(() => undefined)}>
        {t('folder.stopAccess')}
      </button>
    </section>
  );
}
