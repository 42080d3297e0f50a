import { useState } from 'react';
import type { SessionClient } from '@rs/client';
import type { DisplayMode, SessionView } from '@rs/protocol';
import { Dialog, Notice, DialogButtons } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

/** SES-1: display mode of shared screens, applied to the running share at once. */
export function SessionOptions({ view, client, open, onClose }: { view: SessionView; client: SessionClient | null; open: boolean; onClose(): void }) {
  const t = useT();
  const [mode, setMode] = useState<DisplayMode>(view.displayMode);
  const { run, busy, error } = useAction();
  return (
    <Dialog title={t('media.sessionOptions')} open={open} onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await client?.request({ type: 'display.set', mode });
            onClose();
          });
        }}
      >
        <fieldset>
          <legend>{t('media.displayMode')}</legend>
          {(['standard', 'sampling'] as const).map((m) => (
            <label className="radio" key={m}>
              <input type="radio" name="display-mode" checked={mode === m} onChange={() => setMode(m)} />
              <span>
                {t(`media.mode.${m}`)} <small className="hint">{t(m === 'standard' ? 'media.mode.standardHint' : 'media.mode.samplingHint')}</small>
              </span>
            </label>
          ))}
        </fieldset>
        {error && <Notice kind="error">{error}</Notice>}
        <DialogButtons onCancel={onClose} submitLabel={t('inviteDialog.ok')} busy={busy} />
      </form>
    </Dialog>
  );
}
