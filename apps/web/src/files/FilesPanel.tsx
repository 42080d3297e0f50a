import { useEffect, useId, useRef, useState } from 'react';
import { uploadFile, type ApiClient } from '@rs/client';
import { RsError, type FilePolicy, type FileView, type SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

interface Transfer {
  key: string;
  name: string;
  size: number;
  /** Unknown until the server said how much of the file it already has (a resumed upload starts there). */
  sent: number | null;
  /** The connection dropped and the current chunk is being tried again. */
  retrying?: boolean;
  abort: AbortController;
  state: 'running' | 'done' | 'refused' | 'failed' | 'stopped';
  message?: string;
}

const MB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * FT-1 for both sides: reps publish to the customers, customers send to the
 * reps (when the site allows it); everyone downloads what they may see.
 * Uploads show progress and resume when the same file is picked again.
 */
export function FilesPanel({ view, me, api, sessionId, role }: { view: SessionView; me: string | null; api: ApiClient; sessionId: string; role: 'rep' | 'customer' }) {
  const t = useT();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [policy, setPolicy] = useState<FilePolicy | null>(null);
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const loadPolicy = () =>
    api
      .get<FilePolicy>(`/api/sessions/${sessionId}/file-policy`)
      .then((p) => {
        setPolicy(p);
        return p;
      })
      .catch(() => null);
  useEffect(() => {
    void loadPolicy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, sessionId]);

  /** Why an upload failed, in words; a refusal for size names the limit (read again: an admin may have changed it). */
  const failure = async (err: unknown, file: File): Promise<string> => {
    if (err instanceof RsError && err.code === 'RS_ERR_TOO_LARGE') {
      const p = await loadPolicy();
      if (p) return file.size > p.maxFileMegabytes * MB ? t('files.tooLarge', { mb: p.maxFileMegabytes }) : t('files.sessionFull', { mb: p.maxSessionMegabytes });
    }
    return errorText(err, t);
  };

  const patch = (key: string, p: Partial<Transfer>) => setTransfers((ts) => ts.map((x) => (x.key === key ? { ...x, ...p } : x)));
  const start = (files: FileList | null) => {
    if (!files) return;
    // The limits shown next to the button follow the site settings (an admin may have changed them).
    void loadPolicy();
    for (const file of Array.from(files)) {
      const key = `${file.name}:${file.size}:${file.lastModified}:${Math.random()}`;
      const abort = new AbortController();
      setTransfers((ts) => [...ts, { key, name: file.name, size: file.size, sent: null, abort, state: 'running' }]);
      void uploadFile({
        api,
        sessionId,
        file,
        direction: role === 'rep' ? 'to_customers' : 'to_reps',
        signal: abort.signal,
        onProgress: (p) => patch(key, { sent: p.sent, retrying: false }),
        onRetry: () => patch(key, { retrying: true }),
      })
        .then((info) => patch(key, info.state === 'ready' ? { state: 'done', sent: info.size } : { state: 'refused', message: info.message ?? '' }))
        .catch(async (err: unknown) => {
          if (abort.signal.aborted) return patch(key, { state: 'stopped' });
          patch(key, { state: 'failed', message: await failure(err, file) });
        });
    }
    if (inputRef.current) inputRef.current.value = '';
  };

  const download = async (f: FileView) => {
    setError(null);
    try {
      const link = await api.post<{ url: string }>(`/api/sessions/${sessionId}/files/${f.fileId}/link`, {});
      // The server answers with an attachment: the page stays, the browser saves the file.
      const a = document.createElement('a');
      a.href = link.url;
      a.download = f.name;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  const files = Object.values(view.files).filter((f) => !f.removed);
  const published = files.filter((f) => f.direction === 'to_customers');
  const received = files.filter((f) => f.direction === 'to_reps');
  const canSend = role === 'rep' || policy?.customerUploads === true;
  const name = (id: string) => view.participants[id]?.name ?? '?';
  const isPrimary = view.primaryId === me;

  // Each list is named by its heading, so "Received from customers" can be found as a list.
  const list = (items: FileView[], labelledBy: string) =>
    items.length === 0 ? (
      <p className="muted">{t('files.none')}</p>
    ) : (
      <ul className="files" aria-labelledby={labelledBy}>
        {items.map((f) => (
          <li key={f.fileId}>
            <span className="f-name">{f.name}</span>
            <span className="muted">
              {formatBytes(f.size)} · {t('files.by', { name: name(f.by) })}
            </span>
            <button type="button" className="secondary small" onClick={() => void download(f)} aria-label={`${t('files.download')} ${f.name}`}>
              <span aria-hidden="true">{t('files.download')}</span>
            </button>
            {role === 'rep' && isPrimary && (
              <button
                type="button"
                className="secondary small"
                aria-label={`${t('files.remove')} ${f.name}`}
                onClick={() => void api.delete(`/api/sessions/${sessionId}/files/${f.fileId}`).catch((e: unknown) => setError(errorText(e, t)))}
              >
                <span aria-hidden="true">{t('files.remove')}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    );

  return (
    <section className="panel" aria-labelledby={`${inputId}-h`}>
      <h2 id={`${inputId}-h`}>{role === 'rep' ? t('files.fileTransfer') : t('files.heading')}</h2>
      {canSend && (role === 'rep' ? isPrimary : true) && (
        <div className="field">
          {/* The real input stays keyboard-focusable; its label is what people see and click. */}
          <input id={inputId} ref={inputRef} type="file" multiple={role === 'rep'} className="visually-hidden file-input" onChange={(e) => start(e.target.files)} />
          <label htmlFor={inputId} className="button file-button">
            {role === 'rep' ? t('files.publish') : t('files.send')}
          </label>
          <small className="hint">
            {role === 'rep' ? t('files.publishHint') : t('files.sendHint')} {policy && t('files.limit', { mb: policy.maxFileMegabytes })}
          </small>
        </div>
      )}
      {transfers.map((x) => (
        <div key={x.key} className="transfer">
          {x.state === 'running' && (
            <>
              <label>
                {t('files.uploading', { name: x.name })}
                {/* Without a value (indeterminate) until the server said where the upload stands. */}
                <progress max={x.size || 1} value={x.sent === null ? undefined : x.size ? x.sent : 0} aria-label={t('files.uploading', { name: x.name })} />
              </label>
              {x.sent !== null && (
                <span className="muted">{t('files.progress', { percent: x.size ? Math.floor((x.sent / x.size) * 100) : 0, size: formatBytes(x.size) })}</span>
              )}
              <button type="button" className="secondary small" onClick={() => x.abort.abort()} aria-label={`${t('files.stop')} ${x.name}`}>
                <span aria-hidden="true">{t('files.stop')}</span>
              </button>
              {x.retrying && <Notice kind="info">{t('files.retrying')}</Notice>}
            </>
          )}
          {x.state === 'stopped' && <Notice kind="info">{t('files.stopped', { name: x.name })}</Notice>}
          {x.state === 'done' && <Notice kind="success">{role === 'rep' ? t('files.done', { name: x.name }) : t('files.sent', { name: x.name })}</Notice>}
          {x.state === 'refused' && <Notice kind="error">{t('files.refused', { name: x.name, message: x.message ?? '' })}</Notice>}
          {x.state === 'failed' && <Notice kind="error">{t('files.failed', { name: x.name, message: x.message ?? '' })}</Notice>}
        </div>
      ))}
      {role === 'rep' ? (
        <>
          <h3 className="h3" id={`${inputId}-pub`}>
            {t('files.published')}
          </h3>
          {list(published, `${inputId}-pub`)}
          <h3 className="h3" id={`${inputId}-rcv`}>
            {t('files.fromCustomers')}
          </h3>
          {list(received, `${inputId}-rcv`)}
        </>
      ) : (
        <>
          {list(published, `${inputId}-h`)}
          {received.length > 0 && (
            <>
              <h3 className="h3" id={`${inputId}-rcv`}>
                {t('files.sentByYou')}
              </h3>
              {list(received, `${inputId}-rcv`)}
            </>
          )}
        </>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
