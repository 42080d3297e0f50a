import { useEffect, useRef, useState } from 'react';
import type { Offer } from '@rs/protocol';
import { Link } from '../app/router.js';
import { Notice } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';
import { useNow } from '../media/useNow.js';
import { useAgent } from './agent.js';
import './acd.css';

/**
 * Where an offer's countdown ends, in this browser's clock: the server's
 * expiry, but never later than its full ringing time after we first saw it
 * (a clock that runs behind the server's must not show more time than there is).
 */
const firstSeen = new Map<string, number>();
function deadline(o: Offer): number {
  const seen = firstSeen.get(o.offerId) ?? Date.now();
  firstSeen.set(o.offerId, seen);
  const ring = Date.parse(o.expiresAt) - Date.parse(o.offeredAt);
  const byServer = Date.parse(o.expiresAt);
  return Number.isFinite(ring) && ring > 0 ? Math.min(byServer, seen + ring) : byServer;
}

/** ACD-3: one offer with what the person wrote, the countdown and Accept. */
export function OfferCard({ offer }: { offer: Offer }) {
  const t = useT();
  const agent = useAgent();
  const now = useNow(500);
  const { run, busy, error } = useAction();
  const seconds = Math.max(0, Math.ceil((deadline(offer) - now) / 1000));
  const id = `offer-${offer.offerId}`;
  return (
    <section className="offer" role="alertdialog" aria-labelledby={`${id}-h`} aria-describedby={`${id}-who`}>
      <h2 id={`${id}-h`}>{t('agent.offerTitle')}</h2>
      <dl className="facts" id={`${id}-who`}>
        <dt>{t('request.name')}</dt>
        <dd>{offer.name}</dd>
        {offer.queueName && (
          <>
            <dt>{t('request.queue')}</dt>
            <dd>{offer.queueName}</dd>
          </>
        )}
        <dt>{t('request.problem')}</dt>
        <dd className="pre">{offer.problem}</dd>
      </dl>
      {offer.transfer && (
        <p className="transfer-message">
          {offer.transfer.message
            ? t('agent.transferMessage', { name: offer.transfer.fromName, message: offer.transfer.message })
            : t('agent.transferNoMessage', { name: offer.transfer.fromName })}
        </p>
      )}
      <p className={seconds <= 5 ? 'countdown urgent' : 'countdown'}>{t('agent.acceptWithin', { seconds })}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="button" disabled={busy || seconds === 0} onClick={() => void run(() => agent.accept(offer))}>
        {t('agent.accept')}
      </button>
    </section>
  );
}

/** Says each new offer once to screen readers (the cards themselves are not live: their countdown ticks). */
function Announcer({ offers }: { offers: Offer[] }) {
  const t = useT();
  const [text, setText] = useState('');
  const said = useRef(new Set<string>());
  useEffect(() => {
    const fresh = offers.find((o) => !said.current.has(o.offerId));
    offers.forEach((o) => said.current.add(o.offerId));
    if (fresh) setText(t('agent.offerAnnounce', { name: fresh.name }));
  }, [offers, t]);
  return (
    <p className="visually-hidden" role="alert">
      {text}
    </p>
  );
}

/**
 * The offers and auto-accepted sessions of an agent, on whatever page they are;
 * `global` adds the missed-offer notice (the Inbound page has it in its panel).
 */
export function AgentOffers({ global = false }: { global?: boolean }) {
  const t = useT();
  const agent = useAgent();
  if (!agent.enabled) return null;
  const offers = agent.state?.offers ?? [];
  return (
    <div className="agent-offers">
      <Announcer offers={offers} />
      {global && agent.state?.missedOffer && (
        <div className="notice notice-error row" role="alert">
          <span>{t('agent.missed')}</span>
          <Link to="/inbound">{t('nav.inbound')}</Link>
        </div>
      )}
      {offers.map((o) => (
        <OfferCard key={o.offerId} offer={o} />
      ))}
      {agent.autoAccepted.map((s) => (
        <div key={s.sessionId} className="notice notice-success row" role="status">
          <span>{t('agent.autoAccepted', { number: s.number, name: s.customerName })}</span>
          {/* A new tab: the console open here must stay open (its session would run out of grace). */}
          <a href={`/console/${encodeURIComponent(s.sessionId)}`} target="_blank" rel="noopener" onClick={() => agent.dismissAutoAccepted(s.sessionId)}>
            {t('agent.openSession', { number: s.number, name: s.customerName })}
          </a>
        </div>
      ))}
    </div>
  );
}
