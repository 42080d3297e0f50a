import type { SessionClient } from '@rs/client';
import type { LinkQuality } from '@rs/client/media';
import { currentCustomerId, presentParticipants, type SessionView } from '@rs/protocol';
import { Notice } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/**
 * Everyone in the session with role and connection; for the rep in control,
 * "Help …" selects the customer to work with (S-3), and the media quality per
 * person comes from WebRTC statistics.
 */
export function Participants({
  view,
  me,
  client,
  quality = {},
  failed = [],
}: {
  view: SessionView;
  me: string | null;
  client?: SessionClient | null;
  quality?: Record<string, LinkQuality>;
  failed?: string[];
}) {
  const t = useT();
  const people = presentParticipants(view);
  const isPrimary = view.primaryId === me;
  const current = currentCustomerId(view);
  const customers = people.filter((p) => p.kind === 'customer');
  return (
    <section className="panel" aria-labelledby="participants-h">
      <h2 id="participants-h">{t('participants.heading')}</h2>
      <ul className="participants">
        {people.map((p) => {
          const q = quality[p.id];
          return (
            <li key={p.id} data-participant={p.id}>
              <span className={`dot ${p.connected ? 'on' : 'off'}`} aria-hidden="true" />
              <span className="p-name">
                {p.name} {p.id === me && <span className="muted">{t('participants.you')}</span>}
              </span>
              <span className="p-role">
                {t(`participants.role.${p.role}`)}
                {p.kind === 'customer' && customers.length > 1 && p.id === current && <strong> · {t('media.selected')}</strong>}
              </span>
              <span className="p-state">{p.connected ? t('participants.connected') : t('participants.reconnecting')}</span>
              {q && (
                <span
                  className={`p-quality q-${q.level}`}
                  title={t('media.qualityDetail', { kbps: Math.round(q.bitrate / 1000), loss: (q.loss * 100).toFixed(1), rtt: q.rtt === null ? '–' : Math.round(q.rtt * 1000) })}
                >
                  {t('media.quality')}: {t(`media.quality.${q.level}`)}
                </span>
              )}
              {isPrimary && p.kind === 'customer' && customers.length > 1 && p.id !== current && (
                <button type="button" className="secondary small" onClick={() => void client?.request({ type: 'customer.select', participantId: p.id }).catch(() => undefined)}>
                  {t('media.help', { name: p.name })}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {failed.map((id) => (
        <Notice kind="error" key={id}>
          {t('media.noPath', { name: view.participants[id]?.name ?? '?' })}
        </Notice>
      ))}
    </section>
  );
}
