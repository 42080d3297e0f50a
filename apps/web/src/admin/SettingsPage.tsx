import { useEffect, useId, useState, type FormEvent } from 'react';
import { DEFAULT_SITE_SETTINGS, type SiteSettings } from '@rs/protocol';
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
  const originsId = useId();
  // The allowed origins are edited as text, one per line; they become a list when saved.
  const [origins, setOrigins] = useState('');
  const adopt = (next: SiteSettings) => {
    setS(next);
    setOrigins((next.acdAllowedOrigins ?? []).join('\n'));
  };
  useEffect(() => {
    void run(async () => adopt(await api.get<SiteSettings>('/api/settings')));
  }, [run]);
  if (!s) return <Page title={t('settings.heading')}>{error ? <Notice kind="error">{error}</Notice> : <p>{t('common.loading')}</p>}</Page>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const acdAllowedOrigins = origins
      .split(/\r?\n/)
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    void run(async () => {
      adopt(await api.put<SiteSettings>('/api/settings', { ...s, acdAllowedOrigins }));
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
        <Field
          label={t('settings.grace')}
          type="number"
          min={5}
          max={3600}
          required
          value={s.reconnectGraceSeconds}
          onChange={(e) => setS({ ...s, reconnectGraceSeconds: Number(e.target.value) })}
        />
        <fieldset>
          <legend>{t('settings.webAcd')}</legend>
          <div className="form">
            <Check label={t('settings.webAcdOn')} checked={s.webAcdEnabled} onChange={(e) => setS({ ...s, webAcdEnabled: e.target.checked })} />
            <Field
              label={t('settings.acdOfferSeconds')}
              hint={t('settings.acdOfferSecondsHint')}
              type="number"
              min={5}
              max={300}
              required
              value={s.acdOfferSeconds ?? DEFAULT_SITE_SETTINGS.acdOfferSeconds}
              onChange={(e) => setS({ ...s, acdOfferSeconds: Number(e.target.value) })}
            />
            <div className="field">
              <label htmlFor={originsId}>{t('settings.acdAllowedOrigins')}</label>
              <textarea
                id={originsId}
                rows={3}
                className="mono"
                value={origins}
                onChange={(e) => setOrigins(e.target.value)}
                aria-describedby={`${originsId}-hint`}
                spellCheck={false}
              />
              <small id={`${originsId}-hint`} className="hint">
                {t('settings.acdAllowedOriginsHint')}
              </small>
            </div>
            <Field
              label={t('settings.acdServiceLevelSeconds')}
              hint={t('settings.acdServiceLevelSecondsHint')}
              type="number"
              min={1}
              max={3600}
              required
              value={s.acdServiceLevelSeconds ?? DEFAULT_SITE_SETTINGS.acdServiceLevelSeconds}
              onChange={(e) => setS({ ...s, acdServiceLevelSeconds: Number(e.target.value) })}
            />
          </div>
        </fieldset>
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
