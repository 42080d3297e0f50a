import { useEffect, useId, useState, type FormEvent } from 'react';
import { ACD_LIMITS, type TransferSessionBody, type TransferTargets } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { Dialog, DialogButtons, Notice } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';
import { Tabs } from '../session/Tabs.js';
import './acd.css';

type Kind = 'queues' | 'agents';

/**
 * SES-4: hand the whole session to one queue or to chosen agents, with a
 * personal message for the next agent. The rep leaves when it is done.
 */
export function TransferSessionDialog({
  sessionId,
  open,
  onClose,
  onTransferred,
}: {
  sessionId: string;
  open: boolean;
  onClose(): void;
  onTransferred(): void;
}) {
  const t = useT();
  const [targets, setTargets] = useState<TransferTargets | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [kind, setKind] = useState<Kind>('queues');
  const [queueId, setQueueId] = useState('');
  const [agentIds, setAgentIds] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const { run, busy, error, setError } = useAction();
  const messageId = useId();
  const max = ACD_LIMITS.transferMessage;
  const over = message.length > max;

  useEffect(() => {
    if (!open) return;
    setError(null);
    setLoadError(null);
    api
      .get<TransferTargets>('/api/acd/transfer-targets')
      .then(setTargets)
      .catch((e: unknown) => setLoadError(errorText(e, t)));
  }, [open, t, setError]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let to: TransferSessionBody['to'];
    if (kind === 'queues') {
      if (!queueId) return setError(t('transferSession.chooseQueue'));
      to = { kind: 'queue', queueId };
    } else {
      if (agentIds.length === 0) return setError(t('transferSession.chooseAgents'));
      to = { kind: 'agents', agentIds };
    }
    // The length is not limited here: the server's answer says what is wrong.
    void run(async () => {
      await api.post<{ ok: true }>(`/api/sessions/${encodeURIComponent(sessionId)}/transfer`, { to, message });
      onTransferred();
    });
  };

  const toggleAgent = (id: string, on: boolean) => setAgentIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));

  return (
    <Dialog title={t('transferSession.title')} open={open} onClose={onClose}>
      <form onSubmit={submit} className="form transfer-session">
        <p>{t('transferSession.intro')}</p>
        {loadError && <Notice kind="error">{loadError}</Notice>}
        {!targets && !loadError && <p aria-busy="true">{t('common.loading')}</p>}
        {targets && (
          <Tabs<Kind>
            label={t('transferSession.to')}
            tabs={[
              { key: 'queues', label: t('transferSession.queues') },
              { key: 'agents', label: t('transferSession.agents') },
            ]}
            active={kind}
            onChange={(k) => {
              setKind(k);
              setError(null);
            }}
          >
            {kind === 'queues' ? (
              targets.queues.length === 0 ? (
                <p className="muted">{t('transferSession.noQueues')}</p>
              ) : (
                <fieldset>
                  <legend>{t('transferSession.queue')}</legend>
                  {targets.queues.map((q, i) => (
                    <div className="choice" key={q.id}>
                      <label className="radio">
                        <input
                          type="radio"
                          name="transfer-queue"
                          value={q.id}
                          checked={queueId === q.id}
                          onChange={() => setQueueId(q.id)}
                          aria-describedby={`tq-${q.id}`}
                          data-autofocus={i === 0 ? true : undefined}
                        />
                        {q.name}
                      </label>
                      <span id={`tq-${q.id}`} className="muted">
                        {t('agent.waiting', { count: q.waiting })}
                      </span>
                    </div>
                  ))}
                </fieldset>
              )
            ) : targets.agents.length === 0 ? (
              <p className="muted">{t('transferSession.noAgents')}</p>
            ) : (
              <fieldset>
                <legend>{t('transferSession.agentsLegend')}</legend>
                {targets.agents.map((a) => (
                  <div className="choice" key={a.userId}>
                    <label className="radio">
                      <input
                        type="checkbox"
                        value={a.userId}
                        checked={agentIds.includes(a.userId)}
                        onChange={(e) => toggleAgent(a.userId, e.target.checked)}
                        aria-describedby={`ta-${a.userId}`}
                      />
                      {a.name}
                    </label>
                    <span id={`ta-${a.userId}`} className={`agent-status status-${a.status}`}>
                      {a.status === 'available' ? t('agent.available') : t('agent.away')}
                    </span>
                  </div>
                ))}
              </fieldset>
            )}
          </Tabs>
        )}
        <div className="field">
          <label htmlFor={messageId}>{t('transferSession.message')}</label>
          <textarea
            id={messageId}
            rows={4}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            aria-describedby={`${messageId}-count ${messageId}-hint`}
            aria-invalid={over ? true : undefined}
          />
          <div className="row spread">
            <small id={`${messageId}-hint`} className="hint">
              {t('transferSession.messageHint', { max })}
            </small>
            <small id={`${messageId}-count`} className={over ? 'counter over' : 'counter'}>
              {`${message.length}/${max}`}
              {over && <span className="over-text">{` (${t('transferSession.tooLong', { count: message.length - max })})`}</span>}
            </small>
          </div>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <DialogButtons onCancel={onClose} submitLabel={t('transferSession.submit')} busy={busy || !targets} />
      </form>
    </Dialog>
  );
}
