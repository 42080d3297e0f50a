/**
 * The Support Manager's side of one folder activity (FT-2 through Support
 * Manager): once the session view shows this device attached to the
 * activity, it serves the folder the customer allowed to the rep who asked,
 * with the same FolderHost as the customer's browser would run — over a
 * WebRTC data channel `folder` (this device offers, as the activity's
 * sender; the rep's MediaController answers) and over the server relay when
 * no direct path exists (the rep's page falls back by itself).
 *
 * Writing asks the customer first, in their browser page: the rep's `write`
 * is passed on to the customer's page (relayed, as a folder `write` with
 * this device's own id and the path inside the shared folder, its name
 * first) and answered there with `accept` or `error`; the outcome follows
 * as `done` or `error`. Started with `--read-only`, nothing is written and
 * nobody is asked.
 *
 * It ends — every transfer stopped, every connection closed — the moment the
 * view shows the activity stopped, the session ended or this device no
 * longer admitted.
 */
import type { IncomingSignal, SessionClient } from '@rs/client';
import { FolderHost, dataChannelTransport, relayTransport, type DirectoryHandleLike, type FolderTransport, type HostActivity } from '@rs/client/folder';
import type { FolderMessage, SessionView, SignalPayload } from '@rs/protocol';
import { wrtc } from './wrtc.js';
import { closeLink, forwardCandidates, onRemoteSignal, sendOffer, type OfferedLink } from './offerer.js';

export type FolderEndReason = 'stopped' | 'session-ended' | 'removed' | 'disconnected' | 'quit';

export interface FolderOptions {
  client: SessionClient;
  activityId: string;
  root: DirectoryHandleLike;
  /** Refuse every write without asking (`--read-only`). */
  readOnly?: boolean;
  log?: (line: string) => void;
}

interface Peer extends OfferedLink {
  host: FolderHost | null;
}

/** A write waiting for the customer's answer in their page. */
interface Ask {
  id: number;
  msg: Extract<FolderMessage, { op: 'write' }>;
  /** `byCustomer`: the customer's own answer (counted and logged), not the end of the access. */
  resolve(answer: true | string, byCustomer?: boolean): void;
}

export const READ_ONLY_REFUSAL = 'Support Manager on the customer’s computer was started read-only: it saves nothing.';
const NO_CUSTOMER = 'The customer is not on the support page to allow saving this file.';

export class FolderSession {
  private readonly client: SessionClient;
  readonly activityId: string;
  private readonly root: DirectoryHandleLike;
  private readonly readOnly: boolean;
  private readonly log: (line: string) => void;

  private readonly peers = new Map<string, Peer>();
  /** The relayed hosts (by rep) and the channel to the customer's page, all through the server. */
  private readonly relayHosts = new Map<string, FolderHost>();
  private toCustomer: { peer: string; transport: FolderTransport; off: () => void } | null = null;
  private readonly relayListeners = new Set<(from: string, data: string) => void>();
  private readonly asks = new Map<number, Ask>();
  /** The customer's answer or the outcome is reported to their page under the ask's id: rep transfer → ask id. */
  private readonly askOf = new Map<string, number>();
  private nextAsk = 1;
  private customerConnected = false;
  private offs: (() => void)[] = [];
  private ending: FolderEndReason | null = null;
  private resolveEnded!: (r: FolderEndReason) => void;
  readonly ended: Promise<FolderEndReason>;
  /** What was done, for the program's last line. */
  readonly stats = { sent: 0, saved: 0, failed: 0, refused: 0 };

  constructor(opts: FolderOptions) {
    this.client = opts.client;
    this.activityId = opts.activityId;
    this.root = opts.root;
    this.readOnly = opts.readOnly ?? false;
    this.log = opts.log ?? (() => undefined);
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  start(): this {
    this.offs.push(
      this.client.on('view', (v) => this.onView(v)),
      this.client.on('signal', (s) => this.onSignal(s)),
      this.client.on('state', (s) => {
        if (s.state === 'closed') this.end('disconnected');
      }),
    );
    if (this.client.view) this.onView(this.client.view);
    return this;
  }

  private me(): string | null {
    return this.client.participantId;
  }

  /** The rep who asked for the folder: the only one it is served to. */
  private askerOf(v: SessionView): string | undefined {
    const a = v.activities[this.activityId];
    return a?.requestId ? v.consents[a.requestId]?.from : undefined;
  }

  private onView(v: SessionView): void {
    if (this.ending) return;
    const me = this.me();
    if (!me) return;
    if (v.status.state === 'ended') return this.end('session-ended');
    const self = v.participants[me];
    if (self && self.status !== 'admitted') return this.end('removed');
    const a = v.activities[this.activityId];
    if (a && a.state === 'stopped') return this.end('stopped');
    if (!a || a.deviceId !== me || !self) return; // not attached (yet)
    const asker = this.askerOf(v);
    if (!asker) return;
    for (const [remote, peer] of this.peers) if (remote !== asker || v.participants[remote]?.status !== 'admitted') this.closePeer(peer);
    if (!this.relayHosts.has(asker)) {
      const transport = relayTransport(this.client, this.activityId, asker, (cb) => this.subscribeRelay(cb));
      this.relayHosts.set(asker, this.makeHost(transport, 'relay'));
      this.log(`Sharing the folder “${this.root.name}” with ${this.nameOf(asker)}${this.readOnly ? ' (read-only)' : ''}`);
    }
    if (!this.toCustomer || this.toCustomer.peer !== a.sharer) this.openCustomerChannel(a.sharer);
    // The customer's page came back (reload, network): it lost the questions it showed; ask again.
    const connected = v.participants[a.sharer]?.status === 'admitted' && v.participants[a.sharer]?.connected === true;
    if (connected && !this.customerConnected) for (const ask of this.asks.values()) this.sendToCustomer(ask.msg);
    this.customerConnected = connected;
    const p = v.participants[asker];
    if (p?.status === 'admitted' && p.connected && !this.peers.has(asker)) void this.offerTo(asker).catch((e: Error) => this.log(`Offer to ${this.nameOf(asker)}: ${e.message}`));
  }

  private subscribeRelay(cb: (from: string, data: string) => void): () => void {
    this.relayListeners.add(cb);
    return () => this.relayListeners.delete(cb);
  }

  private nameOf(id: string): string {
    return this.client.view?.participants[id]?.name ?? id;
  }

  private makeHost(transport: FolderTransport, via: string): FolderHost {
    return new FolderHost(this.root, transport, {
      confirmWrite: (name, size, where) => this.confirmWrite(`${via}:${where.id}`, name, size, where.path, where.signal),
      onActivity: (act) => this.onActivity(`${via}:${act.id}`, act),
    });
  }

  // ------------------------------------------------------------------ the customer's page

  private openCustomerChannel(customer: string): void {
    this.toCustomer?.off();
    const transport = relayTransport(this.client, this.activityId, customer, (cb) => this.subscribeRelay(cb));
    const off = transport.onMessage((m) => {
      const ask = this.asks.get(m.id);
      if (!ask) return;
      if (m.op === 'accept') ask.resolve(true);
      else if (m.op === 'error' || m.op === 'cancel') ask.resolve(m.op === 'error' ? m.message : 'The customer did not allow saving this file.');
    });
    this.toCustomer = { peer: customer, transport, off };
  }

  private sendToCustomer(msg: FolderMessage): void {
    if (!this.toCustomer) return;
    void this.toCustomer.transport.send(msg).catch((e: Error) => this.log(`To the customer's page: ${e.message}`));
  }

  private confirmWrite(key: string, name: string, size: number, path: string[], signal: AbortSignal): Promise<true | string> {
    if (this.readOnly) {
      this.stats.refused += 1;
      this.log(`Refused saving “${name}” (read-only)`);
      return Promise.resolve(READ_ONLY_REFUSAL);
    }
    const view = this.client.view;
    const a = view?.activities[this.activityId];
    const customer = a ? view?.participants[a.sharer] : undefined;
    if (!customer || customer.status !== 'admitted' || !customer.connected) return Promise.resolve(NO_CUSTOMER);
    const id = this.nextAsk++;
    this.askOf.set(key, id);
    // The folder is named as the rep sees it: the shared folder's own name, then the path in it.
    const where = this.root.name && this.root.name !== '/' ? [this.root.name, ...path] : path;
    const msg: Ask['msg'] = { op: 'write', id, path: where.slice(0, 32), name, size };
    return new Promise<true | string>((resolve) => {
      this.asks.set(id, {
        id,
        msg,
        resolve: (answer, byCustomer = true) => {
          if (!this.asks.delete(id)) return;
          if (answer !== true && byCustomer) {
            this.stats.refused += 1;
            this.log(`The customer did not allow saving “${name}”`);
          }
          resolve(answer);
        },
      });
      // The rep gave up before the customer answered: the question is withdrawn from their page.
      signal.addEventListener(
        'abort',
        () => {
          if (!this.asks.delete(id)) return;
          this.askOf.delete(key);
          this.sendToCustomer({ op: 'cancel', id });
          resolve('Stopped.');
        },
        { once: true },
      );
      this.sendToCustomer(msg);
    });
  }

  private onActivity(key: string, act: HostActivity): void {
    if (act.state === 'running') return;
    const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e6 ? 3 : 1)} MB`;
    if (act.state === 'done') {
      if (act.direction === 'to_rep') this.stats.sent += 1;
      else this.stats.saved += 1;
      this.log(act.direction === 'to_rep' ? `Sent “${act.name}” (${mb(act.progress.total)})` : `Saved “${act.name}” (${mb(act.progress.total)})`);
    } else {
      this.stats.failed += 1;
      this.log(`${act.direction === 'to_rep' ? 'Sending' : 'Saving'} “${act.name}” failed: ${act.message ?? ''}`);
    }
    const ask = this.askOf.get(key);
    if (ask === undefined || act.direction !== 'from_rep') return;
    this.askOf.delete(key);
    this.sendToCustomer(act.state === 'done' ? { op: 'done', id: ask } : { op: 'error', id: ask, message: (act.message ?? 'Failed.').slice(0, 400) });
  }

  // ------------------------------------------------------------------ WebRTC to the rep

  private onSignal(s: IncomingSignal): void {
    if (s.activityId !== this.activityId || this.ending) return;
    const v = this.client.view;
    if (!v) return;
    const p = s.payload;
    if (p.kind === 'relay') {
      for (const l of [...this.relayListeners]) l(s.from, p.data);
      return;
    }
    if (s.from !== this.askerOf(v)) return;
    void this.handleSignal(s.from, p).catch((e: Error) => this.log(`Signal ${p.kind} from ${this.nameOf(s.from)}: ${e.message}`));
  }

  private async handleSignal(remote: string, p: Exclude<SignalPayload, { kind: 'relay' }>): Promise<void> {
    await onRemoteSignal(this.peers.get(remote), p, {
      send: (payload) => this.client.sendSignal(this.activityId, remote, payload),
      offer: () => this.offerTo(remote),
      close: (peer) => this.closePeer(peer),
    });
  }

  private async offerTo(remote: string): Promise<void> {
    if (this.ending) return;
    const old = this.peers.get(remote);
    if (old) this.closePeer(old);
    const pc = new wrtc.RTCPeerConnection({ iceServers: this.client.iceServers });
    // The rep's MediaController takes the channel the offering side made (FT-2: one ordered channel `folder`).
    const dc = pc.createDataChannel('folder', { ordered: true });
    dc.binaryType = 'arraybuffer';
    const peer: Peer = { remote, pc, dc, host: null, early: [], closed: false };
    this.peers.set(remote, peer);
    dc.onopen = () => {
      if (peer.closed || this.ending) return;
      this.log(`Connected directly to ${this.nameOf(remote)}`);
      peer.host = this.makeHost(dataChannelTransport(dc), 'datachannel');
    };
    dc.onclose = () => {
      peer.host?.close();
      peer.host = null;
    };
    const send = (payload: SignalPayload) => this.client.sendSignal(this.activityId, remote, payload);
    forwardCandidates(peer, send);
    pc.onconnectionstatechange = () => {
      // The rep asks again with `want` (or goes on through the relay); a fresh connection is made then.
      if (!peer.closed && pc.connectionState === 'failed') this.closePeer(peer);
    };
    await sendOffer(peer, send);
  }

  private closePeer(peer: Peer): void {
    if (peer.closed) return;
    peer.closed = true;
    if (this.peers.get(peer.remote) === peer) this.peers.delete(peer.remote);
    peer.host?.close();
    peer.host = null;
    closeLink(peer);
  }

  /** Ends the folder access here: transfers stop, questions are withdrawn, connections close. Idempotent. */
  end(reason: FolderEndReason): void {
    if (this.ending) return;
    this.ending = reason;
    for (const off of this.offs.splice(0)) off();
    for (const ask of [...this.asks.values()]) ask.resolve('Folder access ended.', false);
    for (const peer of [...this.peers.values()]) {
      if (reason !== 'stopped' && reason !== 'session-ended') this.client.sendSignal(this.activityId, peer.remote, { kind: 'bye' });
      this.closePeer(peer);
    }
    for (const h of this.relayHosts.values()) h.close();
    this.relayHosts.clear();
    this.toCustomer?.off();
    this.toCustomer = null;
    this.relayListeners.clear();
    this.resolveEnded(reason);
  }
}
