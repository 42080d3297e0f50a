import { useEffect, useState } from 'react';
import type { SessionClient } from '@rs/client';
import { relayTransport, type FolderTransport } from '@rs/client/folder';
import type { MediaController } from '@rs/client/media';
import type { ActivityView, SessionView } from '@rs/protocol';
import { Notice } from '../app/ui.js';
import { formatBytes } from '../files/FilesPanel.js';
import { useT } from '../i18n/index.js';

interface Ask {
  id: number;
  name: string;
  size: number;
  folder: string;
}

interface Saved {
  id: number;
  name: string;
  state: 'running' | 'done' | 'failed';
  message?: string;
}

/**
 * FT-2 through Support Manager, the customer's page: Support Manager serves
 * the folder; this page is where the customer sees it and stops it, and
 * allows or denies each file the rep wants to save. Support Manager passes
 * the rep's `write` on (relayed through the server, with its own id and the
 * folder's path, the shared folder's name first); the answer is `accept` or
 * `error`, and the outcome comes back as `done` or `error`.
 */
export function FolderDeviceView({ activity, view, controller, client }: { activity: ActivityView; view: SessionView; controller: MediaController | null; client: SessionClient | null }) {
  const t = useT();
  const asker = activity.requestId ? view.consents[activity.requestId]?.from : undefined;
  const rep = asker ? (view.participants[asker]?.name ?? '?') : '?';
  const device = activity.deviceId ?? null;
  const [transport, setTransport] = useState<FolderTransport | null>(null);
  const [asks, setAsks] = useState<Ask[]>([]);
  const [saved, setSaved] = useState<Saved[]>([]);

  useEffect(() => {
    if (!controller || !client || !device) return;
    const tr = relayTransport(client, activity.activityId, device, (cb) =>
      controller.on((e) => {
        if (e.type === 'relay' && e.activityId === activity.activityId) cb(e.from, e.data);
      }),
    );
    const off = tr.onMessage((m) => {
      if (m.op === 'write') {
        const folder = m.path.length > 0 ? m.path.join('/') : '/';
        // Asked again after a reload or reconnect: shown once.
        setAsks((as) => (as.some((a) => a.id === m.id) ? as : [...as, { id: m.id, name: m.name, size: m.size, folder }]));
      } else if (m.op === 'done' || m.op === 'error' || m.op === 'cancel') {
        setAsks((as) => as.filter((a) => a.id !== m.id));
        setSaved((ss) => ss.map((x) => (x.id === m.id ? { ...x, state: m.op === 'done' ? 'done' : 'failed', ...(m.op === 'error' ? { message: m.message } : {}) } : x)));
      }
    });
    setTransport(tr);
    return () => {
      off();
      setTransport(null);
      setAsks([]);
    };
  }, [controller, client, device, activity.activityId]);

  const ask = asks[0];
  const answer = (a: Ask, ok: boolean) => {
    setAsks((as) => as.filter((x) => x.id !== a.id));
    if (ok) setSaved((ss) => [...ss.filter((x) => x.id !== a.id), { id: a.id, name: a.name, state: 'running' }]);
    void transport?.send(ok ? { op: 'accept', id: a.id } : { op: 'error', id: a.id, message: 'The customer did not allow saving this file.' }).catch(() => undefined);
  };
  const stop = () => void client?.request({ type: 'activity.stop', activityId: activity.activityId }).catch(() => undefined);

  return (
    <section className="panel" aria-live="polite">
      <p>
        <strong>{device ? t('folder.deviceShared', { name: rep }) : t('folder.deviceWaiting')}</strong>
      </p>
      {ask && (
        <div className="consent" role="alertdialog" aria-label={t('folder.askWriteDevice', { name: rep, file: ask.name, size: formatBytes(ask.size), folder: ask.folder })}>
          <p>{t('folder.askWriteDevice', { name: rep, file: ask.name, size: formatBytes(ask.size), folder: ask.folder })}</p>
          <div className="row">
            <button type="button" onClick={() => answer(ask, true)} autoFocus>
              {t('folder.allow')}
            </button>
            <button type="button" className="secondary" onClick={() => answer(ask, false)}>
              {t('folder.deny')}
            </button>
          </div>
        </div>
      )}
      {saved.map((j) => (
        <div key={j.id} className="transfer">
          {j.state === 'running' && <span role="status">{t('folder.receiving', { name: j.name })}</span>}
          {j.state === 'done' && <span className="muted">{t('folder.transferDone', { name: j.name })}</span>}
          {j.state === 'failed' && <Notice kind="error">{t('folder.transferFailed', { name: j.name, message: j.message ?? '' })}</Notice>}
        </div>
      ))}
      <button type="button" className="danger" onClick={stop}>
        {t('folder.stopAccess')}
      </button>
    </section>
  );
}
