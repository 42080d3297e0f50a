import { useState } from 'react';
import type { SessionClient } from '@rs/client';
import { CONTROL_KINDS, SCREEN_KINDS, activeActivities, presentParticipants, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/**
 * CUS-2: while something is shared or controlled, both sides see it and either
 * can stop it at once. Remote control (DSK-2, APP-2) says whether Support
 * Manager is attached yet.
 */
export function SharingBar({ view, me, client }: { view: SessionView; me: string | null; client: SessionClient | null }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const shares = activeActivities(view).filter((a) => SCREEN_KINDS.has(a.kind));
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
        const control = CONTROL_KINDS.has(a.kind);
        return (
          <div key={a.activityId} className={control && a.deviceId && a.sharer === me ? 'row controlled' : 'row'}>
            <span>
              {control
                ? a.sharer === me
                  ? a.deviceId
                    ? t('media.control.beingControlled', { name: consent ? name(consent.from) : name(view.primaryId) })
                    : t('media.control.waitingYou')
                  : !a.deviceId
                    ? t('media.control.waitingDevice')
                    : consent?.from === me
                      ? t('media.control.controlling', { name: name(a.sharer) })
                      : t('media.viewing', { name: name(a.sharer), what: t(desktop ? 'media.what.theirDesktop' : 'media.what.theirApp') })
                : a.sharer === me
                ? t('media.sharingTo', { what: t(desktop ? 'media.what.desktop' : 'media.what.app'), names: watchers.join(', ') || t('media.nobodyYet') })
                : t('media.viewing', { name: name(a.sharer), what: t(desktop ? 'media.what.theirDesktop' : 'media.what.theirApp') })}
            </span>
            {involved && (
              <button
                type="button"
                className="danger"
                onClick={() => void client?.request({ type: 'activity.stop', activityId: a.activityId }).catch((e: unknown) => setError(errorText(e, t)))}
              >
                {t(control ? 'media.stopControl' : 'media.stopSharing')}
              </button>
            )}
          </div>
        );
      })}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
