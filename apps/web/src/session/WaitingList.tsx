import { useEffect, useRef } from 'react';
import type { SessionClient } from '@rs/client';
import type { SessionView } from '@rs/protocol';
import { Notice } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

/** People who joined by number wait here until the rep in control admits or denies them. */
export function WaitingList({ view, client, disabled }: { view: SessionView; client: SessionClient | null; disabled: boolean }) {
  const t = useT();
  const { run, busy, error } = useAction();
  const waiting = view.order.map((id) => view.participants[id]).filter((p) => p?.status === 'waiting');
  const seen = useRef(waiting.length);
  useEffect(() => {
    // A short tone when someone new waits, so a rep on another window notices.
    if (waiting.length > seen.current) chime();
    seen.current = waiting.length;
  }, [waiting.length]);
  return (
    <section className="panel waiting" aria-labelledby="waiting-h">
      <h2 id="waiting-h">{t('console.waitingHeading')}</h2>
      {waiting.length === 0 ? (
        <p className="muted">{t('console.noWaiting')}</p>
      ) : (
        <ul>
          {waiting.map((p) =>
            p ? (
              <li key={p.id}>
                <span>{t('console.waitingPerson', { name: p.name })}</span>
                <button type="button" disabled={disabled || busy} onClick={() => void run(async () => client?.admit(p.id))}>
                  {t('console.admit')}
                </button>
                <button type="button" className="secondary" disabled={disabled || busy} onClick={() => void run(async () => client?.deny(p.id))}>
                  {t('console.deny')}
                </button>
              </li>
            ) : null,
          )}
        </ul>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}

function chime(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio: the list itself still shows the person.
  }
}
