import { useState, type FormEvent } from 'react';
import type { SessionClient } from '@rs/client';
import { presentParticipants, type SessionView } from '@rs/protocol';
import { Dialog, Notice, DialogButtons } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

/** SES-3: hand control to an assisting rep; the former primary stays and can get it back. */
export function TransferDialog({
  view,
  me,
  client,
  open,
  onClose,
  onTransferSession,
}: {
  view: SessionView;
  me: string | null;
  client: SessionClient | null;
  open: boolean;
  onClose(): void;
  /** SES-3 step 3, for WebACD agents: hand the whole session on instead (SES-4). */
  onTransferSession?: (() => void) | undefined;
}) {
  const t = useT();
  const assistants = presentParticipants(view).filter((p) => p.kind === 'rep' && p.id !== me);
  const [choice, setChoice] = useState('');
  const { run, busy, error } = useAction();
  const instead = onTransferSession && (
    <button type="button" className="secondary" onClick={onTransferSession}>
      {t('transferDialog.sessionInstead')}
    </button>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const to = choice || assistants[0]?.id;
    if (!to || !client) return;
    void run(async () => {
      await client.transferControl(to);
      onClose();
    });
  };
  return (
    <Dialog title={t('transferDialog.title')} open={open} onClose={onClose}>
      {assistants.length === 0 ? (
        <>
          <Notice kind="info">{t('transferDialog.none')}</Notice>
          <div className="row end">
            {instead}
            <button type="button" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} className="form">
          <p>{t('transferDialog.intro')}</p>
          <fieldset>
            <legend>{t('participants.role.assistant')}</legend>
            {assistants.map((p, i) => (
              <label className="radio" key={p.id}>
                <input
                  type="radio"
                  name="transfer-to"
                  value={p.id}
                  checked={(choice || assistants[0]?.id) === p.id}
                  onChange={() => setChoice(p.id)}
                  data-autofocus={i === 0 ? true : undefined}
                />
                {p.name}
              </label>
            ))}
          </fieldset>
          {error && <Notice kind="error">{error}</Notice>}
          {instead && <div className="row">{instead}</div>}
          <DialogButtons onCancel={onClose} submitLabel={t('transferDialog.submit')} busy={busy} />
        </form>
      )}
    </Dialog>
  );
}
