import { useEffect, useRef, useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { MediaController } from '@rs/client/media';
import { SCREEN_KINDS, activeActivities, currentCustomerId, type ConsentKind, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { captureFor, mediaErrorText } from './capture.js';

/**
 * Desktop and Application tabs (DSK-1/3, APP-1/3) for the rep in control.
 * "Share view" captures the rep's screen in the click (browsers require it),
 * then asks the customer; a decline or expiry stops the capture.
 */
export function ShareTab({
  area,
  view,
  me,
  client,
  controller,
}: {
  area: 'desktop' | 'app';
  view: SessionView;
  me: string | null;
  client: SessionClient | null;
  controller: MediaController | null;
}) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const held = useRef<{ stream: MediaStream; unbind: () => void; since: number } | null>(null);
  const customerId = currentCustomerId(view);
  const customer = customerId ? view.participants[customerId] : undefined;
  const sharing = activeActivities(view).some((a) => SCREEN_KINDS.has(a.kind));
  const mineRecent = Object.values(view.consents)
    .filter((c) => c.from === me)
    .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
  const pending = mineRecent?.state === 'pending' && mineRecent.expiresAt > new Date().toISOString() ? mineRecent : undefined;

  useEffect(() => {
    // A held capture whose request was declined or withdrawn is released.
    const h = held.current;
    if (!h || !mineRecent || Date.parse(mineRecent.requestedAt) < h.since - 1000) return;
    if (mineRecent.state === 'declined' || mineRecent.state === 'closed') {
      h.unbind();
      h.stream.getTracks().forEach((tr) => tr.stop());
      held.current = null;
    } else if (mineRecent.state === 'accepted') held.current = null;
  }, [mineRecent?.requestId, mineRecent?.state]);

  const ask = async (kind: ConsentKind) => {
    if (!client || !customerId) return;
    setBusy(true);
    setError(null);
    try {
      if (kind === 'desktop.share' || kind === 'app.share') {
        const stream = await captureFor(kind).catch((e: unknown) => {
          throw new Error(e instanceof Error ? e.message : String(e));
        });
        const unbind = controller?.expectLocal((a, who) => a.kind === kind && a.sharer === who, stream) ?? (() => undefined);
        held.current = { stream, unbind, since: Date.now() };
      }
      await client.request({ type: 'consent.request', kind, to: customerId });
    } catch (err) {
      if (held.current) {
        held.current.unbind();
        held.current.stream.getTracks().forEach((tr) => tr.stop());
        held.current = null;
      }
      setError(mediaErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tool-buttons">
      <p>{t(area === 'desktop' ? 'media.desktopIntro' : 'media.appIntro')}</p>
      {customer ? <p className="muted">{t('media.helping', { name: customer.name })}</p> : <Notice kind="info">{t('media.noCustomer')}</Notice>}
      <div className="row">
        <button type="button" disabled={busy || !customer || sharing || !!pending} onClick={() => void ask(area === 'desktop' ? 'desktop.view' : 'app.view')}>
          {t('media.requestView')}
        </button>
        <button type="button" disabled={busy || !customer || sharing || !!pending} onClick={() => void ask(area === 'desktop' ? 'desktop.control' : 'app.control')}>
          {t('media.requestControl')}
        </button>
        <button type="button" disabled={busy || !customer || sharing || !!pending} onClick={() => void ask(area === 'desktop' ? 'desktop.share' : 'app.share')}>
          {t('media.shareView')}
        </button>
      </div>
      {pending && (
        <div className="row" role="status">
          <span>{t('media.waitingAnswer', { name: view.participants[pending.to]?.name ?? '?' })}</span>
          <button
            type="button"
            className="secondary"
            onClick={() => void client?.request({ type: 'consent.cancel', requestId: pending.requestId }).catch((e: unknown) => setError(errorText(e, t)))}
          >
            {t('media.cancelRequest')}
          </button>
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

/** What happened to the last request or share, in words, on both sides. */
export function ShareNotices({ view, me }: { view: SessionView; me: string | null }) {
  const t = useT();
  const name = (id: string) => view.participants[id]?.name ?? '?';
  const lastConsent = Object.values(view.consents)
    .filter((c) => c.from === me)
    .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
  const lastStop = Object.values(view.activities)
    .filter((a) => a.state === 'stopped' && SCREEN_KINDS.has(a.kind) && a.stoppedAt)
    .sort((a, b) => (a.stoppedAt! < b.stoppedAt! ? 1 : -1))[0];
  const notices: string[] = [];
  if (lastConsent?.state === 'declined') notices.push(t('media.declined', { name: name(lastConsent.to) }));
  if (lastConsent?.state === 'closed' && lastConsent.closeReason === 'expired') notices.push(t('media.expired', { name: name(lastConsent.to) }));
  const running = activeActivities(view).some((a) => SCREEN_KINDS.has(a.kind));
  if (lastStop?.stopReason && !running && (!lastConsent || lastConsent.requestedAt <= (lastStop.stoppedAt ?? ''))) {
    notices.push(t(`media.ended.${lastStop.stopReason}`));
  }
  if (notices.length === 0) return null;
  return (
    <div role="status" className="notice notice-info">
      {notices.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}
