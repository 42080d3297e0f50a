import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AcceptedOffer, AcdHello, AcdServerMessage, AgentState, AgentStatus, Offer } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { useAuth } from '../app/auth.js';
import { useRouter } from '../app/router.js';
import { useT } from '../i18n/index.js';
import { askNotificationPermission, beep, notify, primeAudio } from './alerts.js';
import { acdErrorText, useAcdSocket, type AcdConnection } from './socket.js';

type InboundSession = AgentState['sessions'][number];

interface Agent {
  /** False for people without the WebACD agent role: nothing else is set. */
  enabled: boolean;
  state: AgentState | null;
  connection: AcdConnection;
  /** Why the agent state cannot be had (WebACD off, no role), or the server's last error. */
  error: string | null;
  setStatus(status: AgentStatus): Promise<void>;
  setAutoAccept(on: boolean): Promise<void>;
  /** Accepts and opens the console (in a new tab when a console is open here already). */
  accept(offer: Offer): Promise<void>;
  /** Sessions the server accepted for the agent (auto-accept) that were not opened yet. */
  autoAccepted: InboundSession[];
  dismissAutoAccepted(sessionId: string): void;
}

const Ctx = createContext<Agent | null>(null);

/** Consoles of this tab that show a running session: leaving one would let its session run out of grace. */
const liveConsoles = new Set<string>();

/** The console says while it shows a running session (the agent's offers then open in a new tab). */
export function useLiveConsole(sessionId: string, live: boolean): void {
  useEffect(() => {
    if (!live) return;
    liveConsoles.add(sessionId);
    return () => {
      liveConsoles.delete(sessionId);
    };
  }, [sessionId, live]);
}
const AGENT_HELLO: AcdHello = { type: 'acd.hello', as: 'agent' };

/** One /ws/acd connection per tab for a signed-in agent, shared by the Inbound page and the offer alerts on every page. */
export function AgentProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const t = useT();
  const { loc, navigate } = useRouter();
  const enabled = user?.roles.agent ?? false;
  const [state, setState] = useState<AgentState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [autoAccepted, setAutoAccepted] = useState<InboundSession[]>([]);
  const seenOffers = useRef<Set<string> | null>(null);
  const seenSessions = useRef<Set<string> | null>(null);
  const acceptedHere = useRef(new Set<string>());

  const adopt = useCallback(
    (s: AgentState) => {
      setState(s);
      setError(null);
      // The first snapshot is what already was; only later ones bring news.
      const first = seenOffers.current === null;
      const offers = seenOffers.current ?? new Set<string>();
      const sessions = seenSessions.current ?? new Set<string>();
      const fresh = s.offers.filter((o) => !offers.has(o.offerId));
      s.offers.forEach((o) => offers.add(o.offerId));
      const newSessions = s.sessions.filter((x) => !sessions.has(x.sessionId) && !acceptedHere.current.has(x.sessionId));
      s.sessions.forEach((x) => sessions.add(x.sessionId));
      seenOffers.current = offers;
      seenSessions.current = sessions;
      setAutoAccepted((list) => list.filter((x) => s.sessions.some((y) => y.sessionId === x.sessionId)));
      if (first) return;
      if (fresh.length > 0) {
        beep();
        const o = fresh[0]!;
        notify(t('agent.offerTitle'), t('agent.notifyBody', { name: o.name, problem: o.problem }), o.offerId);
      }
      if (newSessions.length > 0 && s.autoAccept) {
        // Accepted automatically: open it unless the agent is in a console already (that one must stay open).
        const x = newSessions[0]!;
        if (fresh.length === 0) beep();
        notify(t('agent.autoAcceptedTitle'), t('agent.autoAccepted', { number: x.number, name: x.customerName }), x.sessionId);
        if (liveConsoles.size === 0) {
          acceptedHere.current.add(x.sessionId);
          navigate(`/console/${encodeURIComponent(x.sessionId)}`);
        } else setAutoAccepted((list) => [...list, ...newSessions.filter((n) => !list.some((l) => l.sessionId === n.sessionId))]);
      }
    },
    [t, navigate],
  );

  const onMessage = useCallback(
    (m: AcdServerMessage) => {
      if (m.type === 'acd.agent') adopt(m.state);
      else if (m.type === 'acd.error') setError(acdErrorText(m, t));
    },
    [adopt, t],
  );
  const connection = useAcdSocket(enabled ? AGENT_HELLO : null, onMessage);

  useEffect(() => {
    if (!enabled) {
      setState(null);
      seenOffers.current = null;
      seenSessions.current = null;
      return;
    }
    api
      .get<AgentState>('/api/acd/agent')
      .then(adopt)
      .catch((e: unknown) => setError(errorText(e, t)));
    // Browsers play sound only after a click; any click on the page unlocks it.
    const unlock = () => primeAudio();
    window.addEventListener('pointerdown', unlock, { once: true });
    window.addEventListener('keydown', unlock, { once: true });
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, [enabled, adopt, t]);

  const setStatus = useCallback(
    async (status: AgentStatus) => {
      if (status === 'available') {
        primeAudio();
        askNotificationPermission();
      }
      adopt(await api.patch<AgentState>('/api/acd/agent', { status }));
    },
    [adopt],
  );
  const setAutoAccept = useCallback(
    async (autoAccept: boolean) => {
      adopt(await api.patch<AgentState>('/api/acd/agent', { autoAccept }));
    },
    [adopt],
  );
  const accept = useCallback(
    async (offer: Offer) => {
      // Leaving an open console would let its session run out of grace: the new one opens beside it.
      // The tab must be opened in the click itself, before anything is awaited.
      const tab = liveConsoles.size > 0 ? window.open('', '_blank') : null;
      try {
        const r = await api.post<AcceptedOffer>(`/api/acd/offers/${encodeURIComponent(offer.offerId)}/accept`);
        acceptedHere.current.add(r.sessionId);
        const to = `/console/${encodeURIComponent(r.sessionId)}`;
        if (tab) tab.location.href = to;
        else navigate(to);
      } catch (e) {
        tab?.close();
        throw e;
      }
    },
    [navigate],
  );
  const dismissAutoAccepted = useCallback((sessionId: string) => {
    setAutoAccepted((list) => list.filter((x) => x.sessionId !== sessionId));
  }, []);
  // Opening an auto-accepted session's console is what the notice asked for.
  useEffect(() => {
    const open = autoAccepted.find((x) => loc.path === `/console/${encodeURIComponent(x.sessionId)}` || loc.path === `/console/${x.sessionId}`);
    if (open) dismissAutoAccepted(open.sessionId);
  }, [loc.path, autoAccepted, dismissAutoAccepted]);

  const value = useMemo<Agent>(
    () => ({ enabled, state, connection, error, setStatus, setAutoAccept, accept, autoAccepted, dismissAutoAccepted }),
    [enabled, state, connection, error, setStatus, setAutoAccept, accept, autoAccepted, dismissAutoAccepted],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAgent(): Agent {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAgent outside AgentProvider');
  return v;
}
