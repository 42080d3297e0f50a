import { useState, type FormEvent } from 'react';
import type { InviteResult } from '@rs/protocol';
import { api } from '../app/api.js';
import { Check, Dialog, Field, Notice, DialogButtons } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useI18n } from '../i18n/index.js';

/** INV-1/2/5: invite a customer or a rep; the server sends it, or the rep's own mail program does. */
export function InviteDialog({ sessionId, open, onClose }: { sessionId: string; open: boolean; onClose(): void }) {
  const { t, lang } = useI18n();
  const [invitee, setInvitee] = useState<'customer' | 'rep'>('customer');
  const [email, setEmail] = useState('');
  const [own, setOwn] = useState(false);
  const [result, setResult] = useState<(InviteResult & { email: string }) | null>(null);
  const { run, busy, error, setError } = useAction();
  const close = () => {
    setResult(null);
    setError(null);
    setEmail('');
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.post<InviteResult>(`/api/sessions/${sessionId}/invitations`, { invitee, email, ownMailProgram: own, language: lang });
      setResult({ ...r, email });
      if (r.mailto) {
        // Opening a mailto: hands the message to the rep's mail program; the page stays.
        const a = document.createElement('a');
        a.href = r.mailto;
        a.click();
      }
    });
  };
  return (
    <Dialog title={t('inviteDialog.title')} open={open} onClose={close}>
      {result ? (
        <div>
          {result.via === 'smtp' && <Notice kind="success">{t('inviteDialog.sent', { email: result.email })}</Notice>}
          {result.via === 'outbox' && <Notice kind="info">{t('inviteDialog.outbox', { email: result.email })}</Notice>}
          {result.via === 'mail_program' && (
            <Notice kind="info">
              {t('inviteDialog.mailProgram', { email: result.email })} <a href={result.mailto}>{t('inviteDialog.openMail')}</a>
            </Notice>
          )}
          <p className="mono break">{result.link}</p>
          <div className="row end">
            <button type="button" onClick={close}>
              {t('common.close')}
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} className="form">
          <fieldset>
            <legend>{t('inviteDialog.who')}</legend>
            <label className="radio">
              <input type="radio" name="invitee" checked={invitee === 'customer'} onChange={() => setInvitee('customer')} />
              {t('inviteDialog.customer')}
            </label>
            <label className="radio">
              <input type="radio" name="invitee" checked={invitee === 'rep'} onChange={() => setInvitee('rep')} />
              {t('inviteDialog.rep')}
            </label>
          </fieldset>
          <Field label={t('inviteDialog.email')} type="email" required data-autofocus value={email} onChange={(e) => setEmail(e.target.value)} />
          <Check label={t('inviteDialog.ownProgram')} checked={own} onChange={(e) => setOwn(e.target.checked)} />
          {error && <Notice kind="error">{error}</Notice>}
          <DialogButtons onCancel={close} submitLabel={t('inviteDialog.ok')} busy={busy} />
        </form>
      )}
    </Dialog>
  );
}
