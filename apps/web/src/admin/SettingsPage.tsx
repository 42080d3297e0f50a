import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SiteSettings } from '@rs/protocol';
import { api } from '../app/api.js';
import { Check, Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

export function SettingsPage() {
  const t = useT();
  const [s, setS] = useState<SiteSettings | null>(null);
  const [saved, setSaved] = useState(false);
  const { run, busy, error } = useAction();
  const modeId = useId();
  const consoleId = useId();
  useEffect(() => {
    void run(async () => setS(await api.get<SiteSettings>('/api/settings')));
  }, [run]);
  if (!s) return <Page title={t('settings.heading')}>{error ? <Notice kind="error">{error}</Notice> : <p>{t('common.loading')}</p>}</Page>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void run(async () => {
      setS(await api.put<SiteSettings>('/api/settings', s));
      setSaved(true);
    });
  };
  return (
    <Page title={t('settings.heading')}>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor={modeId}>{t('settings.sessionMode')}</label>
          <select id={modeId} value={s.sessionMode} onChange={(e) => setS({ ...s, sessionMode: e.target.value as SiteSettings['sessionMode'] })}>
            <option value="single">{t('settings.mode.single')}</option>
            <option value="multi">{t('settings.mode.multi')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={consoleId}>{t('settings.console')}</label>
          <select id={consoleId} value={s.console} onChange={(e) => setS({ ...s, console: e.target.value as SiteSettings['console'] })}>
            <option value="dashboard">{t('settings.console.dashboard')}</option>
            <option value="icon_tray">{t('settings.console.iconTray')}</option>
            <option value="multi_session_window">{t('settings.console.multiWindow')}</option>
          </select>
        </div>
        <Field
          label={t('settings.maxCustomers')}
          type="number"
          min={1}
          max={50}
          required
          value={s.maxCustomersPerRep}
          onChange={(e) => setS({ ...s, maxCustomersPerRep: Number(e.target.value) })}
        />
        <Check label={t('settings.autoRecording')} checked={s.automaticRecording} onChange={(e) => setS({ ...s, automaticRecording: e.target.checked })} />
        <Check label={t('settings.webAcd')} checked={s.webAcdEnabled} onChange={(e) => setS({ ...s, webAcdEnabled: e.target.checked })} />
        <Field
          label={t('settings.grace')}
          type="number"
          min={5}
          max={3600}
          required
          value={s.reconnectGraceSeconds}
          onChange={(e) => setS({ ...s, reconnectGraceSeconds: Number(e.target.value) })}
        />
        <p className="hint">{t('settings.laterNote')}</p>
        {error && <Notice kind="error">{error}</Notice>}
        {saved && <Notice kind="success">{t('common.saved')}</Notice>}
        <button type="submit" disabled={busy}>
          {t('common.save')}
        </button>
      </form>
    </Page>
  );
}
