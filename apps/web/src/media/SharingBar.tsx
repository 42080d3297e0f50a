import { useState } from 'react';
import type { SessionClient } from '@rs/client';
import { SHARING_KINDS, activeActivities, presentParticipants, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/** CUS-2: while something is shared, both sides see it and either can stop it at once. */
export function SharingBar({ view, me, client }: { view: SessionView; me: string | null; client: SessionClient | null }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const shares = activeActivities(view).filter((a) => SHARING_KINDS.has(a.kind));
  if (shares.length === 0 || !me) return null;
  const name = (id: string) => view.participants[id]?.name ?? '?';
  return (
    <div className="sharing-bar" role="status">
      {shares.map((a) => {
        const consent = a.requestId ? view.consents[a.requestId] : undefined;
        const involved = a.sharer === me || consent?.from === me || consent?.to === me || view.primaryId === me;
        const desktop = a.kind.startsWith('desktop');
        const watchers = presentParticipants(view)
          .filter((p) => p.id !== a.sharer && p.connected)
          .map((p) => p.name);
        return (
          <div key={a.activityId} className="row">
            <span>
              {a.sharer === me
                ? t('media.sharingTo', { what: t(desktop ? 'media.what.desktop' : 'media.what.app'), names: watchers.join(', ') || t('media.nobodyYet') })
                : t('media.viewing', { name: name(a.sharer), what: t(desktop ? 'media.what.theirDesktop' : 'media.what.theirApp') })}
            </span>
            {involved && (
              <button
                type="button"
                className="danger"
                onClick={() => void client?.request({ type: 'activity.stop', activityId: a.activityId }).catch((e: unknown) => setError(errorText(e, t)))}
              >
                {t('media.stopSharing')}
              </button>
            )}
          </div>
        );
      })}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
