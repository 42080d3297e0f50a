import { presentParticipants, type SessionView } from '@rs/protocol';
import { useT } from '../i18n/index.js';

export function Participants({ view, me }: { view: SessionView; me: string | null }) {
  const t = useT();
  const people = presentParticipants(view);
  return (
    <section className="panel" aria-labelledby="participants-h">
      <h2 id="participants-h">{t('participants.heading')}</h2>
      <ul className="participants">
        {people.map((p) => (
          <li key={p.id} data-participant={p.id}>
            <span className={`dot ${p.connected ? 'on' : 'off'}`} aria-hidden="true" />
            <span className="p-name">
              {p.name} {p.id === me && <span className="muted">{t('participants.you')}</span>}
            </span>
            <span className="p-role">{t(`participants.role.${p.role}`)}</span>
            <span className="p-state">{p.connected ? t('participants.connected') : t('participants.reconnecting')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
