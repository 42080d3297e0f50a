import { useEffect, useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { MediaController } from '@rs/client/media';
import { CONTROL_KINDS, activityKindOf, customerShares, pendingConsents, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';
import { captureFor, mediaErrorText } from './capture.js';
import { canShareFolder, pickFolder, pickedFolders } from '../folder/pickFolder.js';
import { useNow } from './useNow.js';

/** CUS-2: what the other side asks, with Accept and Decline. Accepting a view request starts the capture in the same click. */
export function ConsentPrompt({ view, me, client, controller }: { view: SessionView; me: string | null; client: SessionClient | null; controller: MediaController | null }) {
  const t = useT();
  const now = useNow(1000);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mine = pendingConsents(view, new Date(now).toISOString()).filter((c) => c.to === me);
  const request = mine[0];
  // A new request clears the last error; the one that went away leaves its error shown (why it was declined).
  useEffect(() => {
    if (request?.requestId) setError(null);
  }, [request?.requestId]);
  // FT-2 in a browser without folder access: decline at once and say why, so the rep is offered Support Manager
  // (asked through Support Manager, the browser shares nothing itself and can accept).
  useEffect(() => {
    if (request?.kind === 'folder.access' && !request.via && !canShareFolder() && client) {
      void client.request({ type: 'consent.answer', requestId: request.requestId, accept: false, unsupported: true }).catch(() => undefined);
      setError(t('folder.unsupportedCustomer'));
    }
  }, [request?.requestId, request?.kind, request?.via, client, t]);
  if (!request || !client) return error ? <Notice kind="error">{error}</Notice> : null;
  const from = view.participants[request.from]?.name ?? '?';
  const seconds = Math.max(0, Math.round((Date.parse(request.expiresAt) - now) / 1000));

  const answer = async (accept: boolean) => {
    setBusy(true);
    setError(null);
    let unbind: (() => void) | null = null;
    try {
      if (accept && request.kind === 'folder.access' && !request.via) {
        const handle = await pickFolder().catch((e: unknown) => {
          throw new Error(t('folder.pickFailed', { message: e instanceof Error ? e.message : String(e) }));
        });
        pickedFolders.set(request.requestId, handle);
      } else if (accept && request.kind !== 'folder.access' && customerShares(request.kind) && !CONTROL_KINDS.has(activityKindOf(request.kind))) {
        // Remote control (DSK-2) is captured by Support Manager, never by the browser; folder access through it shares nothing here.
        // Capture first: the browser needs this click to open its picker.
        const stream = await captureFor(request.kind).catch((e: unknown) => {
          throw new Error(e instanceof Error ? e.message : String(e));
        });
        unbind = controller?.expectLocal((a) => a.requestId === request.requestId, stream) ?? null;
      }
      await client.request({ type: 'consent.answer', requestId: request.requestId, accept });
    } catch (err) {
      unbind?.();
      setError(mediaErrorText(err, t));
      if (accept) await client.request({ type: 'consent.answer', requestId: request.requestId, accept: false }).catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="consent" role="alertdialog" aria-labelledby={`consent-${request.requestId}`} aria-describedby={`consent-exp-${request.requestId}`}>
      <h2 id={`consent-${request.requestId}`}>{t(request.via ? 'media.ask.folder.device' : `media.ask.${request.kind}`, { name: from })}</h2>
      <p id={`consent-exp-${request.requestId}`} className="hint">
        {t('media.expiresIn', { seconds })}
      </p>
      <div className="row">
        <button type="button" disabled={busy} onClick={() => void answer(true)} autoFocus>
          {t('media.accept')}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void answer(false)}>
          {t('media.decline')}
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
