/**
 * The session around a Support Manager program under test (session.test.ts
 * runs it from the sources, package.test.ts from the installed archive): a
 * rep, an invited customer who accepted desktop.control and got the pairing
 * link, the rep's WebRTC side played with @roamhq/wrtc, and a watched child
 * process.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { SessionClient } from '@rs/client';
import { parsePairingUrl, type Pairing } from '@rs/protocol';
import { connected, inviteCustomer, startSession } from '../../../server/test/live-session-helpers.js';
import { signIn } from '../../../../test/support/http.js';
import type { RunningServer } from '../../../../test/support/server.js';
import { sessionClient, waitForView } from '../../../../test/support/ws.js';
import type { InputEvent } from '../../src/backend/input.js';
import { wrtc, type DataChannelLike, type IceCandidateLike, type PeerConnectionLike } from '../../src/session/wrtc.js';

/** Run at the end of the test file, last added first. */
export type Cleanups = (() => unknown)[];

/** As pairing.test.ts: rep, invited customer, desktop.control accepted, and the customer's pairing link. */
export async function controlWithPairing(server: RunningServer, cleanups: Cleanups) {
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = await connected(sessionClient(server.wsUrl, started.ticket));
  const ticket = await inviteCustomer(server.url, api, started.sessionId);
  const customer = await connected(sessionClient(server.wsUrl, ticket));
  cleanups.push(() => rep.close(), () => customer.close());
  await rep.request({ type: 'consent.request', kind: 'desktop.control', to: ticket.participantId });
  const asked = await waitForView(customer, (v) => Object.values(v.consents).some((c) => c.state === 'pending'));
  const requestId = Object.values(asked.consents).find((c) => c.state === 'pending')!.requestId;
  await customer.request({ type: 'consent.answer', requestId, accept: true });
  const v = await waitForView(rep, (x) => Object.values(x.activities).some((a) => a.kind === 'desktop.control' && a.state === 'active'));
  const activityId = Object.values(v.activities).find((a) => a.kind === 'desktop.control' && a.state === 'active')!.activityId;
  const res = await fetch(`${server.url}/api/sessions/${ticket.sessionId}/pairings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-participant-token': ticket.token },
    body: JSON.stringify({ activityId }),
  });
  assert.equal(res.status, 201);
  const pairing = (await res.json()) as Pairing;
  assert.ok(parsePairingUrl(pairing.url));
  return { rep, customer, customerId: ticket.participantId, activityId, url: pairing.url };
}

export interface Device {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with performance.now() when stdout first contains `text`. */
  printed(text: string): Promise<number>;
}

/**
 * Watches a Support Manager process started with piped stdout/stderr; it is
 * killed at cleanup if still running (with `group`, its whole process group:
 * for a launcher such as xdg-open started `detached`).
 */
export function watchDevice(proc: ChildProcess, cleanups: Cleanups, opts: { group?: boolean } = {}): Device {
  let out = '';
  let err = '';
  const waiting: { text: string; resolve: (t: number) => void }[] = [];
  proc.stdout!.on('data', (d) => {
    out += String(d);
    const now = performance.now();
    for (const w of waiting.splice(0)) (out.includes(w.text) ? w.resolve(now) : waiting.push(w));
  });
  proc.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  cleanups.push(() => {
    if (opts.group && proc.pid) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    } else if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    printed: (text) => (out.includes(text) ? Promise.resolve(performance.now()) : new Promise((resolve) => waiting.push({ text, resolve }))),
  };
}

/**
 * The rep's answering side of the device's offers, as the web console's
 * MediaController does it: each offer replaces the connection (`setup` gets
 * the new one to listen on), candidates that come before it wait.
 */
export function answerDeviceOffers(rep: SessionClient, activityId: string, cleanups: Cleanups, setup: (pc: PeerConnectionLike) => void): void {
  let current: PeerConnectionLike | null = null;
  let early: IceCandidateLike[] = [];
  rep.on('signal', (s) => {
    if (s.activityId !== activityId) return;
    const p = s.payload;
    void (async () => {
      if (p.kind === 'offer') {
        current?.close();
        const pc = new wrtc.RTCPeerConnection({ iceServers: rep.iceServers });
        current = pc;
        pc.onicecandidate = (ev) => {
          if (ev.candidate) {
            const c = ev.candidate;
            rep.sendSignal(activityId, s.from, { kind: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } });
          }
        };
        setup(pc);
        await pc.setRemoteDescription({ type: 'offer', sdp: p.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        rep.sendSignal(activityId, s.from, { kind: 'answer', sdp: answer.sdp });
        for (const c of early) await pc.addIceCandidate(c);
        early = [];
      } else if (p.kind === 'candidate') {
        const c = { candidate: p.candidate.candidate, sdpMid: p.candidate.sdpMid ?? null, sdpMLineIndex: p.candidate.sdpMLineIndex ?? null };
        if (current?.remoteDescription) await current.addIceCandidate(c);
        else early.push(c);
      }
    })();
  });
  cleanups.push(() => current?.close());
}

/** The rep's side of the WebRTC link, as the web console's viewer would do it. */
export function playRep(rep: SessionClient, activityId: string, cleanups: Cleanups) {
  const state = {
    pc: null as PeerConnectionLike | null,
    dc: null as DataChannelLike | null,
    offers: 0,
    frames: [] as { at: number; width: number; height: number }[],
    /** Text messages from the device on the `input` channel (e.g. `screens`), parsed, oldest first. */
    messages: [] as unknown[],
    keep: [] as unknown[],
  };
  answerDeviceOffers(rep, activityId, cleanups, (pc) => {
    state.offers += 1;
    state.pc = pc;
    pc.ontrack = (ev) => {
      const sink = new wrtc.nonstandard.RTCVideoSink(ev.track);
      sink.onframe = ({ frame }) => state.frames.push({ at: performance.now(), width: frame.width, height: frame.height });
      // Track and sink stay referenced until the end (a collected sink is a known crash source in node-webrtc).
      state.keep.push(ev.track, sink);
      cleanups.push(() => sink.stop());
    };
    pc.ondatachannel = (ev) => {
      if (ev.channel.label !== 'input') return;
      state.dc = ev.channel;
      // Listening from the moment the channel is announced: the device speaks first when it opens.
      ev.channel.addEventListener('message', (m) => {
        if (typeof m.data !== 'string') return;
        try {
          state.messages.push(JSON.parse(m.data));
        } catch {
          state.messages.push(m.data);
        }
      });
    };
  });
  return {
    state,
    /** With the rep's view's last seq, as the console sends it: the device holds it until its own view has caught up. */
    send(ev: InputEvent) {
      state.dc!.send(JSON.stringify({ ...ev, seq: rep.view!.lastSeq }));
    },
  };
}
