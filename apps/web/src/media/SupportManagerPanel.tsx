import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '@rs/client';
import { SUPPORT_MANAGER_LINUX_X64, SUPPORT_MANAGER_LINUX_X64_URL, activeActivities, throughDevice, type Pairing, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/** Renew the link this long before it expires, so the one shown always works. */
const RENEW_BEFORE_MS = 20_000;
const RETRY_MS = 5_000;

/**
 * DSK-2, APP-2, FT-2 on the customer's page: control (or folder access
 * through Support Manager) was accepted, and only the Support Manager
 * program can carry it out. Offers the one-time pairing link
 * (`support-manager://pair?…`), renewed before it expires, and the download,
 * until the device is attached.
 */
export function SupportManagerPanel({ view, me, api, sessionId }: { view: SessionView; me: string | null; api: ApiClient; sessionId: string }) {
  const t = useT();
  const waiting = activeActivities(view).find((a) => throughDevice(a) && a.sharer === me && !a.deviceId);
  const activityId = waiting?.activityId;
  const [pairing, setPairing] = useState<{ activityId: string; p: Pairing } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(() => {
    if (!activityId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchLink = async () => {
      try {
        const p = await api.post<Pairing>(`/api/sessions/${sessionId}/pairings`, { activityId });
        if (stopped) return;
        setPairing({ activityId, p });
        setError(null);
        const left = Date.parse(p.expiresAt) - Date.now();
        timer = setTimeout(() => void fetchLink(), Math.max(1_000, Math.min(left - RENEW_BEFORE_MS, left / 2)));
      } catch (e) {
        if (stopped) return;
        setError(errorText(e, tRef.current));
        timer = setTimeout(() => void fetchLink(), RETRY_MS);
      }
    };
    void fetchLink();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [activityId, api, sessionId]);

  if (!waiting) return null;
  const consent = waiting.requestId ? view.consents[waiting.requestId] : undefined;
  const rep = view.participants[consent?.from ?? view.primaryId]?.name ?? '?';
  const link = pairing && pairing.activityId === activityId ? pairing.p.url : null;
  return (
    <section className="panel sm-panel" aria-labelledby="sm-heading">
      <h2 id="sm-heading">{t('sm.heading')}</h2>
      <p>{t(waiting.kind === 'folder' ? 'sm.introFolder' : 'sm.intro', { name: rep })}</p>
      <div className="row">
        {link ? (
          <a className="button" href={link}>
            {t('sm.open')}
          </a>
        ) : (
          <span aria-busy="true">{t('sm.preparing')}</span>
        )}
        {/* The archive itself (the only build there is); the steps to install it are on the Downloads page. */}
        <a className="button secondary" href={SUPPORT_MANAGER_LINUX_X64_URL} download={SUPPORT_MANAGER_LINUX_X64}>
          {t('sm.download')}
        </a>
      </div>
      <p className="hint">
        {t('sm.notInstalled')}{' '}
        <a href="/downloads" target="_blank" rel="noopener">
          {t('sm.installHelp')}
        </a>{' '}
        {t('sm.renewed')}
      </p>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
