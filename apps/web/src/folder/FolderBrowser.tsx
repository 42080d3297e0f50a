import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { SessionClient } from '@rs/client';
import { FolderClient, type Progress } from '@rs/client/folder';
import type { MediaController } from '@rs/client/media';
import { senderOf, type ActivityView, type FolderEntry, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { formatBytes } from '../files/FilesPanel.js';
import { useT } from '../i18n/index.js';
import { useFolderTransports } from './useFolderTransports.js';

interface Job {
  key: number;
  kind: 'down' | 'up';
  name: string;
  progress: Progress;
  state: 'waiting' | 'running' | 'done' | 'failed';
  message?: string;
  abort: AbortController;
}

/** FT-2, the rep's view: the customer's folder tree, downloads and uploads with progress; served by the customer's page or their Support Manager. */
export function FolderBrowser({ activity, view, controller, client }: { activity: ActivityView; view: SessionView; controller: MediaController | null; client: SessionClient | null }) {
  const t = useT();
  const uploadId = useId();
  const host = senderOf(activity) ?? null;
  const [transport] = useFolderTransports(controller, client, activity.activityId, host, 'pick-one');
  const folder = useMemo(() => (transport ? new FolderClient(transport) : null), [transport]);
  const [path, setPath] = useState<string[]>([]);
  const [listing, setListing] = useState<{ folder: string; entries: FolderEntry[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobs, setJobs] = useState<Job[]>([]);
  const nextKey = useRef(1);
  // Support Manager's name says whose computer it is on ("Support Manager (laptop) – Carla").
  const customer = view.participants[host ?? activity.sharer]?.name ?? '?';

  const load = useCallback(
    async (p: string[]) => {
      if (!folder) return;
      setError(null);
      try {
        setListing(await folder.list(p));
        setPath(p);
      } catch (err) {
        setError(err instanceof Error ? err.message : errorText(err, t));
      }
    },
    [folder, t],
  );
  useEffect(() => {
    void load([]);
  }, [load]);

  const patch = (key: number, p: Partial<Job>) => setJobs((js) => js.map((j) => (j.key === key ? { ...j, ...p } : j)));
  const run = (kind: Job['kind'], name: string, work: (signal: AbortSignal, onProgress: (p: Progress) => void, job: number) => Promise<void>) => {
    const key = nextKey.current++;
    const abort = new AbortController();
    setJobs((js) => [...js, { key, kind, name, progress: { done: 0, total: 0 }, state: kind === 'up' ? 'waiting' : 'running', abort }]);
    work(abort.signal, (progress) => patch(key, { progress, state: 'running' }), key)
      .then(() => patch(key, { state: 'done' }))
      .catch((err: unknown) => patch(key, { state: 'failed', message: err instanceof Error ? err.message : String(err) }));
  };

  const download = (e: FolderEntry) =>
    run('down', e.name, async (signal, onProgress) => {
      const blob = await folder!.download([...path, e.name], { signal, onProgress });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = e.name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  const upload = (files: FileList | null) => {
    for (const f of Array.from(files ?? [])) {
      run('up', f.name, async (signal, onProgress, key) => {
        await folder!.upload(path, f, { signal, onProgress, onAccepted: () => patch(key, { state: 'running' }) });
        void load(path);
      });
    }
  };

  return (
    <section className="panel" aria-labelledby={`${uploadId}-h`}>
      <h2 id={`${uploadId}-h`}>{t('folder.heading')}</h2>
      {!folder ? (
        <p role="status">{t('folder.connecting')}</p>
      ) : (
        <p className="muted" role="status">
          {transport?.kind === 'relay' ? t('folder.viaRelay') : t('folder.direct')} · {customer}
        </p>
      )}
      {listing && (
        <>
          <p className="mono break">/{path.join('/')}</p>
          <div className="row">
            {path.length > 0 && (
              <button type="button" className="secondary small" onClick={() => void load(path.slice(0, -1))}>
                {t('folder.up')}
              </button>
            )}
            <input id={uploadId} type="file" multiple className="visually-hidden file-input" onChange={(e) => upload(e.target.files)} />
            <label htmlFor={uploadId} className="button secondary file-button">
              {t('folder.uploadHere')}
            </label>
          </div>
          {listing.entries.length === 0 ? (
            <p className="muted">{t('folder.empty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('folder.name')}</th>
                  <th scope="col">{t('folder.size')}</th>
                  <th scope="col">{t('folder.modified')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('users.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {listing.entries.map((e) => (
                  <tr key={`${e.kind}:${e.name}`}>
                    <td>
                      {e.kind === 'directory' ? (
                        <button type="button" className="link-like" onClick={() => void load([...path, e.name])} aria-label={t('folder.open', { name: e.name })}>
                          <span aria-hidden="true">{e.name}/</span>
                        </button>
                      ) : (
                        e.name
                      )}
                    </td>
                    <td>{e.size !== undefined ? formatBytes(e.size) : ''}</td>
                    <td>{e.modified ? new Date(e.modified).toLocaleString() : ''}</td>
                    <td>
                      {e.kind === 'file' && (
                        <button type="button" className="secondary small" onClick={() => download(e)} aria-label={`${t('files.download')} ${e.name}`}>
                          <span aria-hidden="true">{t('files.download')}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {jobs.map((j) => (
        <div key={j.key} className="transfer">
          {j.state === 'waiting' && (
            <>
              <span role="status">{t('folder.waitingConsent', { name: j.name })}</span>
              {/* Giving up withdraws the customer's question too. */}
              <button type="button" className="secondary small" onClick={() => j.abort.abort()}>
                {t('folder.stop')}
              </button>
            </>
          )}
          {j.state === 'running' && (
            <>
              <label>
                {t(j.kind === 'down' ? 'folder.downloading' : 'folder.uploadingTo', { name: j.name })}
                <progress max={j.progress.total || 1} value={j.progress.done} aria-label={t(j.kind === 'down' ? 'folder.downloading' : 'folder.uploadingTo', { name: j.name })} />
              </label>
              <button type="button" className="secondary small" onClick={() => j.abort.abort()}>
                {t('folder.stop')}
              </button>
            </>
          )}
          {j.state === 'done' && <Notice kind="success">{t('folder.transferDone', { name: j.name })}</Notice>}
          {j.state === 'failed' && <Notice kind="error">{t('folder.transferFailed', { name: j.name, message: j.message ?? '' })}</Notice>}
        </div>
      ))}
      {error && <Notice kind="error">{error}</Notice>}
      <button type="button" className="danger" onClick={() => void client?.request({ type: 'activity.stop', activityId: activity.activityId }).catch(() => undefined)}>
        {t('folder.stopAccess')}
      </button>
    </section>
  );
}
