import { useEffect, useRef, useState } from 'react';
import type { SessionClient } from '@rs/client';
import { FolderHost, type HostActivity } from '@rs/client/folder';
import type { MediaController } from '@rs/client/media';
import type { ActivityView, SessionView } from '@rs/protocol';
import { Notice } from '../app/ui.js';
import { formatBytes } from '../files/FilesPanel.js';
import { useT } from '../i18n/index.js';
import { pickedFolders } from './pickFolder.js';
import { useFolderTransports } from './useFolderTransports.js';

/** FT-2, the customer's side: serves the picked folder, asks before every write, shows and stops transfers. */
export function FolderHostView({ activity, view, controller, client }: { activity: ActivityView; view: SessionView; controller: MediaController | null; client: SessionClient | null }) {
  const t = useT();
  const asker = activity.requestId ? (view.consents[activity.requestId]?.from ?? null) : null;
  const handle = activity.requestId ? pickedFolders.get(activity.requestId) : undefined;
  const transports = useFolderTransports(handle ? controller : null, client, activity.activityId, asker, 'serve-both');
  const [jobs, setJobs] = useState<Record<string, HostActivity & { via: string }>>({});
  const [ask, setAsk] = useState<{ name: string; size: number; resolve(ok: boolean): void } | null>(null);
  const hosts = useRef<FolderHost[]>([]);
  const rep = asker ? (view.participants[asker]?.name ?? '?') : '?';

  useEffect(() => {
    // After a reload the picked folder is gone: the access cannot go on.
    if (!handle) void client?.request({ type: 'activity.stop', activityId: activity.activityId, reason: 'sharer_reloaded' }).catch(() => undefined);
  }, [handle, client, activity.activityId]);

  useEffect(() => {
    if (!handle) return;
    const made = transports.map(
      (tr) =>
        new FolderHost(handle, tr, {
          confirmWrite: (name, size, { signal }) =>
            new Promise<boolean>((resolve) => {
              setAsk({ name, size, resolve });
              // The rep gave up waiting: the question goes.
              signal.addEventListener('abort', () => setAsk((a) => (a?.resolve === resolve ? null : a)), { once: true });
            }),
          onActivity: (a) => setJobs((js) => ({ ...js, [`${tr.kind}:${a.id}`]: { ...a, via: tr.kind } })),
        }),
    );
    hosts.current = made;
    return () => made.forEach((h) => h.close());
  }, [handle, transports]);

  if (!handle) return <Notice kind="info">{t('folder.lost')}</Notice>;
  const answer = (ok: boolean) => {
    ask?.resolve(ok);
    setAsk(null);
  };
  return (
    <section className="panel" aria-live="polite">
      <p>
        <strong>{t('folder.shared', { name: rep, folder: handle.name })}</strong>
      </p>
      {ask && (
        <div className="consent" role="alertdialog" aria-label={t('folder.askWrite', { name: rep, file: ask.name, size: formatBytes(ask.size) })}>
          <p>{t('folder.askWrite', { name: rep, file: ask.name, size: formatBytes(ask.size) })}</p>
          <div className="row">
            <button type="button" onClick={() => answer(true)} autoFocus>
              {t('folder.allow')}
            </button>
            <button type="button" className="secondary" onClick={() => answer(false)}>
              {t('folder.deny')}
            </button>
          </div>
        </div>
      )}
      {Object.entries(jobs).map(([key, j]) => (
        <div key={key} className="transfer">
          {j.state === 'running' && (
            <label>
              {t(j.direction === 'to_rep' ? 'folder.sending' : 'folder.receiving', { name: j.name })}
              <progress max={j.progress.total || 1} value={j.progress.done} aria-label={t(j.direction === 'to_rep' ? 'folder.sending' : 'folder.receiving', { name: j.name })} />
            </label>
          )}
          {j.state === 'done' && <span className="muted">{t('folder.transferDone', { name: j.name })}</span>}
          {j.state === 'failed' && <Notice kind="error">{t('folder.transferFailed', { name: j.name, message: j.message ?? '' })}</Notice>}
        </div>
      ))}
      <button
        type="button"
        className="danger"
        onClick={() => {
          hosts.current.forEach((h) => h.stopAll());
          void client?.request({ type: 'activity.stop', activityId: activity.activityId }).catch(() => undefined);
        }}
      >
        {t('folder.stopAccess')}
      </button>
    </section>
  );
}
