import type { SessionView } from '@rs/protocol';
import { useT } from '../i18n/index.js';
import './acd.css';

/** S-2: the entry form's answers of an inbound session, and SES-4: who transferred it here with what message. */
export function RequestPanel({ view, me }: { view: SessionView; me: string | null }) {
  const t = useT();
  const inbound = view.inbound;
  const last = view.sessionTransfers[view.sessionTransfers.length - 1];
  const toMe = last && me && last.acceptedBy === me ? last : null;
  const from = toMe ? (view.participants[toMe.by]?.name ?? '?') : null;
  if (!inbound && !toMe) return null;
  return (
    <section className="panel request-panel" aria-labelledby="request-h">
      <h2 id="request-h">{t('request.heading')}</h2>
      {toMe && from && (
        <p className="transfer-message">
          {toMe.message ? t('request.transferredBy', { name: from, message: toMe.message }) : t('request.transferredByNoMessage', { name: from })}
        </p>
      )}
      {inbound && (
        <dl className="facts">
          <dt>{t('request.name')}</dt>
          <dd>{inbound.customerName}</dd>
          <dt>{t('request.email')}</dt>
          <dd>
            <a href={`mailto:${inbound.email}`}>{inbound.email}</a>
          </dd>
          <dt>{t('request.problem')}</dt>
          <dd className="pre">{inbound.problem}</dd>
          {inbound.queueName && (
            <>
              <dt>{t('request.queue')}</dt>
              <dd>{inbound.queueName}</dd>
            </>
          )}
          {inbound.pageUrl && (
            <>
              <dt>{t('request.page')}</dt>
              <dd className="break">
                {/^https?:\/\//i.test(inbound.pageUrl) ? (
                  <a href={inbound.pageUrl} target="_blank" rel="noopener noreferrer">
                    {inbound.pageUrl}
                  </a>
                ) : (
                  inbound.pageUrl
                )}
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
