import { useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { MediaController } from '@rs/client/media';
import { activeActivities, currentCustomerId, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { FolderBrowser } from './FolderBrowser.js';
import { FolderHostView } from './FolderHostView.js';

/** FT-2 on either page: the rep asks and browses; the customer serves the folder they picked. */
export function FolderSection({ view, me, client, controller }: { view: SessionView; me: string | null; client: SessionClient | null; controller: MediaController | null }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const folder = activeActivities(view).find((a) => a.kind === 'folder');
  const asker = folder?.requestId ? view.consents[folder.requestId]?.from : undefined;
  if (folder && folder.sharer === me) return <FolderHostView activity={folder} view={view} controller={controller} client={client} />;
  if (folder && asker === me) return <FolderBrowser activity={folder} view={view} controller={controller} client={client} />;
  const isPrimary = view.primaryId === me;
  if (!isPrimary || view.participants[me ?? '']?.kind !== 'rep') return null;
  const customerId = currentCustomerId(view);
  const last = Object.values(view.consents)
    .filter((c) => c.from === me && c.kind === 'folder.access')
    .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
  const pending = last?.state === 'pending';
  return (
    <div className="tool-buttons">
      <button
        type="button"
        disabled={!customerId || pending || !!folder}
        onClick={() =>
          void client?.request({ type: 'consent.request', kind: 'folder.access', to: customerId! }).catch((e: unknown) => setError(errorText(e, t)))
        }
      >
        {t('folder.request')}
      </button>
      <small className="hint">{t('folder.requestHint')}</small>
      {last?.unsupported && <Notice kind="info">{t('folder.unsupported')}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
