/**
 * The chunk PUTs of each upload that are under way, so that a chunk which
 * arrives before the one ahead of it (a client keeps two PUTs on their way,
 * on two connections, and they may reach the server's queue in either order)
 * can wait for its turn instead of being refused.
 */
export class ChunkTurns {
  private readonly files = new Map<string, { active: number; parked: number; failed: number; version: number; wake: Set<() => void> }>();

  private entry(id: string) {
    let e = this.files.get(id);
    if (!e) this.files.set(id, (e = { active: 0, parked: 0, failed: 0, version: 0, wake: new Set() }));
    return e;
  }

  private bump(id: string): void {
    const e = this.files.get(id);
    if (!e) return;
    e.version++;
    for (const wake of e.wake) wake();
    e.wake.clear();
    if (e.active === 0) this.files.delete(id);
  }

  /**
   * A PUT of upload `id` is under way until `leave`; while it is `park`ed
   * (waiting for its turn) it does not count as one that could bring the
   * upload to another offset, so that two early chunks never wait for each
   * other. Parking does not wake anyone: nothing was written. `fail` marks
   * a PUT whose chunk was not stored, which the ones waiting behind it learn.
   */
  enter(id: string): { leave(): void; park(): void; unpark(): void; fail(): void } {
    this.entry(id).active++;
    this.bump(id);
    let left = false;
    let parked = false;
    const park = (on: boolean) => {
      if (left || parked === on) return;
      parked = on;
      this.entry(id).parked += on ? 1 : -1;
    };
    return {
      park: () => park(true),
      unpark: () => park(false),
      fail: () => {
        if (!left) this.entry(id).failed++;
      },
      leave: () => {
        if (left) return;
        park(false);
        left = true;
        this.entry(id).active--;
        this.bump(id);
      },
    };
  }

  /** PUTs of `id` under way and not parked (the caller's own included when it is not parked). */
  busy(id: string): number {
    const e = this.files.get(id);
    return e ? e.active - e.parked : 0;
  }

  /** How many PUTs of `id` failed since the first of those now under way started. */
  failures(id: string): number {
    return this.files.get(id)?.failed ?? 0;
  }

  /** Changes with every PUT of `id` that starts or ends. */
  version(id: string): number {
    return this.files.get(id)?.version ?? 0;
  }

  /** Resolves once a PUT of `id` started or ended after `since` (a version), or after `ms` (Infinity: no limit). */
  changed(id: string, since: number, ms: number): Promise<void> {
    const e = this.files.get(id);
    if (!e || e.version !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (timer) clearTimeout(timer);
        e.wake.delete(done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : null;
      e.wake.add(done);
    });
  }
}
