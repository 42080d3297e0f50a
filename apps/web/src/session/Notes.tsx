import { useEffect, useId, useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { SessionView } from '@rs/protocol';
import { errorText } from '../app/api.js';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/** NOTE-1: reps only; the last saved text is what the report shows. */
export function Notes({ view, client, disabled }: { view: SessionView; client: SessionClient | null; disabled: boolean }) {
  const t = useT();
  const id = useId();
  const last = view.notes.at(-1);
  const [text, setText] = useState(last?.text ?? '');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    // Someone else's save (another rep) shows up unless this rep is typing.
    if (!touched) setText(last?.text ?? '');
  }, [last?.seq, touched, last?.text]);
  const save = async () => {
    if (!client) return;
    setSaving(true);
    setError(null);
    try {
      await client.saveNotes(text);
      setTouched(false);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('notes.heading')}</h2>
      <p className="hint" id={`${id}-hint`}>
        {t('notes.hint')}
      </p>
      <label htmlFor={id} className="visually-hidden">
        {t('notes.label')}
      </label>
      <textarea
        id={id}
        rows={6}
        value={text}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          setText(e.target.value);
          setTouched(true);
        }}
      />
      <div className="row">
        <button type="button" onClick={() => void save()} disabled={disabled || saving}>
          {t('notes.save')}
        </button>
        {last && !touched && (
          <span role="status" className="muted">
            {t('notes.savedAt', { time: new Date(last.at).toLocaleTimeString() })}
          </span>
        )}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
