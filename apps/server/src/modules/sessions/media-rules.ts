import {
  CONSENT_TTL_MS,
  ENDS_ON_SWITCH,
  RsError,
  SCREEN_KINDS,
  activeActivities,
  activityKindOf,
  currentCustomerId,
  customerShares,
  senderOf,
  throughDevice,
  type ActivityStopReason,
  type ConsentCloseReason,
  type Intent,
  type ParticipantView,
  type SessionEvent,
  type SessionView,
} from '@rs/protocol';

/**
 * Rules of live media (consent, activities, voice, display mode), numbered
 * M1… with tests named after them in media-rules.test.ts.
 */
export const MEDIA_RULES = {
  M1: 'only the primary rep asks for consent, and only an admitted customer is asked; only folder access may be asked through Support Manager',
  M2: 'only the person asked answers, and only while the request is pending and not expired',
  M3: 'accepting starts the activity: the customer shares in view kinds, the rep in share kinds; folder access asked through Support Manager waits for it',
  M4: 'every admitted participant may send their own camera, one video each',
  M5: 'only the primary rep starts a voice call, one per session, and starting joins it',
  M6: 'an activity is stopped by its sharer, the other side of its consent, or the primary rep',
  M7: 'admitted participants join and leave the voice call; members mute only themselves',
  M8: 'selecting another customer ends all sharing and pending requests',
  M9: 'transferring control ends sharing and video but not voice',
  M10: 'only the primary rep sets the display mode',
  M11: 'leaving ends what the leaver shares and takes them out of the call',
  M12: "signaling flows only between two participants of one active activity; a folder only between its host and the rep who asked (and a Support Manager host and its customer's page)",
  M13: 'the asking rep may cancel a pending request',
  M14: "a control activity's screen and input, and a folder accessed through Support Manager, come only from the Support Manager paired with its customer for it, attached once",
  M15: 'control and folder access through Support Manager stop when its customer or its device leaves or drops, and a device may only stop its activity or leave',
} as const;

export type MediaIntent = Extract<
  Intent,
  {
    type:
      | 'consent.request'
      | 'consent.answer'
      | 'consent.cancel'
      | 'activity.start'
      | 'activity.stop'
      | 'voice.join'
      | 'voice.leave'
      | 'voice.mute'
      | 'customer.select'
      | 'display.set';
  }
>;

export const MEDIA_INTENTS: ReadonlySet<Intent['type']> = new Set([
  'consent.request',
  'consent.answer',
  'consent.cancel',
  'activity.start',
  'activity.stop',
  'voice.join',
  'voice.leave',
  'voice.mute',
  'customer.select',
  'display.set',
]);

export function isMediaIntent(intent: Intent): intent is MediaIntent {
  return MEDIA_INTENTS.has(intent.type);
}

interface Ctx {
  view: SessionView;
  actor: ParticipantView;
  now: string;
  newId: () => string;
  /** How long a consent request waits for an answer; CONSENT_TTL_MS by default. */
  consentTtlMs?: number;
}

function requirePrimary(view: SessionView, actorId: string, what: string) {
  if (view.primaryId !== actorId) throw RsError.forbidden(`Only the rep in control of the session can ${what}.`);
}

/** Events that end sharing activities (and optionally video) and close pending requests. */
export function endSharing(
  view: SessionView,
  opts: { reason: ActivityStopReason & ConsentCloseReason; includeVideo: boolean; by?: string },
): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (const a of activeActivities(view)) {
    if (ENDS_ON_SWITCH.has(a.kind) || (opts.includeVideo && a.kind === 'video')) {
      events.push({ type: 'activity.stopped', activityId: a.activityId, reason: opts.reason, ...(opts.by ? { by: opts.by } : {}) });
    }
  }
  for (const c of Object.values(view.consents)) {
    if (c.state === 'pending') events.push({ type: 'consent.closed', requestId: c.requestId, reason: opts.reason });
  }
  return events;
}

/**
 * M15: a customer or device dropping (closed page, killed program) stops the
 * activities through Support Manager they take part in: the customer's page
 * is where they see and stop what the program does.
 */
export function dropControl(view: SessionView, participantId: string): SessionEvent[] {
  return activeActivities(view)
    .filter((a) => throughDevice(a) && (a.sharer === participantId || a.deviceId === participantId))
    .map((a): SessionEvent => ({ type: 'activity.stopped', activityId: a.activityId, reason: 'sharer_left' }));
}

/** M14: Support Manager, redeeming its pairing, joins and is attached to the control or folder activity. */
export function decideDeviceAttach(view: SessionView, input: { activityId: string; customerId: string; device: { id: string; name: string } }): SessionEvent[] {
  if (view.status.state === 'ended') throw RsError.sessionEnded();
  const a = view.activities[input.activityId];
  if (!a || a.state !== 'active' || !throughDevice(a)) {
    throw RsError.invalidState(a?.kind === 'folder' ? 'Folder access was stopped. Ask the rep to request it again.' : 'Control was stopped. Ask the rep to request it again.');
  }
  if (a.sharer !== input.customerId) throw RsError.forbidden('This pairing is not for this activity.');
  if (a.deviceId !== undefined) throw RsError.invalidState('Support Manager is connected for this already.');
  const customer = view.participants[input.customerId];
  if (!customer || customer.status !== 'admitted') throw RsError.invalidState('The customer who accepted is no longer in the session.');
  return [
    { type: 'participant.joined', participant: { id: input.device.id, kind: 'device', role: 'device', name: input.device.name, pairedWith: customer.id } },
    { type: 'device.attached', activityId: a.activityId, deviceId: input.device.id },
  ];
}

/** M11: what a participant leaving takes with them. */
export function leaveMedia(view: SessionView, participantId: string): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (const a of activeActivities(view)) {
    const consent = a.requestId ? view.consents[a.requestId] : undefined;
    const involved =
      a.sharer === participantId || a.deviceId === participantId || (consent && (consent.from === participantId || consent.to === participantId));
    if (involved && a.kind !== 'voice') events.push({ type: 'activity.stopped', activityId: a.activityId, reason: 'sharer_left' });
    else if (a.kind === 'voice' && a.members[participantId]) events.push({ type: 'voice.left', activityId: a.activityId, participantId });
  }
  for (const c of Object.values(view.consents)) {
    if (c.state === 'pending' && (c.from === participantId || c.to === participantId)) {
      events.push({ type: 'consent.closed', requestId: c.requestId, reason: 'participant_left' });
    }
  }
  return events;
}

export function decideMedia(intent: MediaIntent, { view, actor, now, newId, consentTtlMs = CONSENT_TTL_MS }: Ctx): SessionEvent[] {
  switch (intent.type) {
    case 'consent.request': {
      // M1
      requirePrimary(view, actor.id, 'ask to view or share');
      if (intent.via && intent.kind !== 'folder.access') throw RsError.validation('Only folder access is asked for through Support Manager this way.');
      const to = view.participants[intent.to];
      if (!to || to.kind !== 'customer' || to.status !== 'admitted') throw RsError.invalidState('Consent can only be asked of a customer in the session.');
      const running = activeActivities(view);
      const busy =
        intent.kind === 'folder.access' ? running.some((a) => a.kind === 'folder') : running.some((a) => SCREEN_KINDS.has(a.kind));
      if (busy) throw RsError.invalidState(intent.kind === 'folder.access' ? 'A folder is shared already.' : 'Something is being shared already. Stop it first.');
      if (Object.values(view.consents).some((c) => c.state === 'pending' && c.expiresAt > now)) {
        throw RsError.invalidState('A request is waiting for an answer already.');
      }
      const expiresAt = new Date(Date.parse(now) + consentTtlMs).toISOString();
      return [{ type: 'consent.requested', requestId: newId(), kind: intent.kind, from: actor.id, to: to.id, expiresAt, ...(intent.via ? { via: intent.via } : {}) }];
    }
    case 'consent.answer': {
      // M2, M3
      const c = view.consents[intent.requestId];
      if (!c) throw RsError.notFound('There is no such request.');
      if (c.to !== actor.id) throw RsError.forbidden('This request was not made to you.');
      if (c.state !== 'pending') throw RsError.invalidState('This request was answered or withdrawn already.');
      if (c.expiresAt <= now) throw RsError.invalidState('This request has expired.');
      if (!intent.accept) {
        return [{ type: 'consent.answered', requestId: c.requestId, accepted: false, ...(intent.unsupported ? { reason: 'unsupported' as const } : {}) }];
      }
      return [
        { type: 'consent.answered', requestId: c.requestId, accepted: true },
        {
          type: 'activity.started',
          activityId: newId(),
          kind: activityKindOf(c.kind),
          sharer: customerShares(c.kind) ? c.to : c.from,
          requestId: c.requestId,
          ...(c.via ? { via: c.via } : {}),
        },
      ];
    }
    case 'consent.cancel': {
      // M13
      const c = view.consents[intent.requestId];
      if (!c) throw RsError.notFound('There is no such request.');
      if (c.from !== actor.id && view.primaryId !== actor.id) throw RsError.forbidden('Only the rep who asked can cancel.');
      if (c.state !== 'pending') throw RsError.invalidState('This request was answered or withdrawn already.');
      return [{ type: 'consent.closed', requestId: c.requestId, reason: 'cancelled' }];
    }
    case 'activity.start': {
      if (intent.kind === 'video') {
        // M4
        if (activeActivities(view).some((a) => a.kind === 'video' && a.sharer === actor.id)) {
          throw RsError.invalidState('Your video is on already.');
        }
        return [{ type: 'activity.started', activityId: newId(), kind: 'video', sharer: actor.id }];
      }
      // M5
      requirePrimary(view, actor.id, 'start a voice call');
      if (activeActivities(view).some((a) => a.kind === 'voice')) throw RsError.invalidState('A voice call is running already.');
      const activityId = newId();
      return [
        { type: 'activity.started', activityId, kind: 'voice', sharer: actor.id },
        { type: 'voice.joined', activityId, participantId: actor.id },
      ];
    }
    case 'activity.stop': {
      // M6
      const a = view.activities[intent.activityId];
      if (!a || a.state !== 'active') throw RsError.invalidState('That is not running.');
      const consent = a.requestId ? view.consents[a.requestId] : undefined;
      const allowed =
        a.sharer === actor.id ||
        a.deviceId === actor.id ||
        view.primaryId === actor.id ||
        (consent !== undefined && (consent.from === actor.id || consent.to === actor.id));
      if (!allowed) throw RsError.forbidden('You cannot stop this.');
      return [{ type: 'activity.stopped', activityId: a.activityId, by: actor.id, reason: intent.reason ?? 'stopped' }];
    }
    case 'voice.join':
    case 'voice.leave':
    case 'voice.mute': {
      // M7
      const a = view.activities[intent.activityId];
      if (!a || a.state !== 'active' || a.kind !== 'voice') throw RsError.invalidState('There is no voice call running.');
      const member = a.members[actor.id];
      if (intent.type === 'voice.join') {
        return member ? [] : [{ type: 'voice.joined', activityId: a.activityId, participantId: actor.id }];
      }
      if (!member) throw RsError.invalidState('You are not in the call.');
      if (intent.type === 'voice.leave') return [{ type: 'voice.left', activityId: a.activityId, participantId: actor.id }];
      return member.muted === intent.muted ? [] : [{ type: 'voice.muted', activityId: a.activityId, participantId: actor.id, muted: intent.muted }];
    }
    case 'customer.select': {
      // M8
      requirePrimary(view, actor.id, 'choose the customer to help');
      const target = view.participants[intent.participantId];
      if (!target || target.kind !== 'customer' || target.status !== 'admitted') throw RsError.invalidState('That customer is not in the session.');
      if (view.selectedCustomerId === target.id) return [];
      // Naming the customer who is helped already (the only or first one) switches nothing.
      if (currentCustomerId(view) === target.id) return [{ type: 'customer.selected', participantId: target.id, by: actor.id }];
      return [...endSharing(view, { reason: 'customer_switched', includeVideo: false, by: actor.id }), { type: 'customer.selected', participantId: target.id, by: actor.id }];
    }
    case 'display.set':
      // M10
      requirePrimary(view, actor.id, 'change the session options');
      return view.displayMode === intent.mode ? [] : [{ type: 'display.mode', mode: intent.mode, by: actor.id }];
    default: {
      const unreachable: never = intent;
      return unreachable;
    }
  }
}

/** M12: may `from` send signaling for `activityId` to `to`? */
export function canSignal(view: SessionView, from: string, to: string, activityId: string): boolean {
  if (view.status.state !== 'open' || from === to) return false;
  const a = view.activities[activityId];
  if (!a || a.state !== 'active') return false;
  const admitted = (id: string) => view.participants[id]?.status === 'admitted';
  if (!admitted(from) || !admitted(to)) return false;
  if (a.kind === 'voice') return a.members[from] !== undefined && a.members[to] !== undefined;
  // M14: through Support Manager the sender is the paired device, never the customer's browser.
  const sender = senderOf(a);
  if (sender === undefined) return false;
  // A shared folder is between its host and the rep who asked, nobody else (FT-2). A Support Manager
  // host also reaches the customer's page, which is where the customer allows each write.
  if (a.kind === 'folder') {
    const asker = a.requestId ? view.consents[a.requestId]?.from : undefined;
    const between = (x: string | undefined, y: string) => (x === from && y === to) || (x === to && y === from);
    return between(asker, sender) || (sender !== a.sharer && between(a.sharer, sender));
  }
  // Everything else is one sender to every admitted viewer (S-3).
  return sender === from || sender === to;
}
