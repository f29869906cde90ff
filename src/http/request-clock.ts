// A request's LAKEQL_REQUEST_TIMEOUT_MS budget as a stopwatch that stands still while an upload's bytes flow to a resolver.

/** Schedules `callback` after `ms`; returns a cancel function (injectable so tests run on virtual time). */
export type SetTimer = (callback: () => void, ms: number) => () => void;

export const realTimer: SetTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

/**
 * Bytes count as flowing until this long after the last chunk reached a resolver: a client that
 * stops sending, or a resolver that stops reading, starts the clock again after this gap.
 */
export const FLOW_GAP_MS = 1000;

/** Where a request's clock is kept: on yoga's server context, which becomes (or is the prototype of) the GraphQL context. */
const CLOCK = Symbol.for('lakeql.requestClock');

export function clockOf(context: object | undefined): RequestClock | undefined {
  return (context as { [CLOCK]?: RequestClock } | undefined)?.[CLOCK];
}

export function attachClock(context: object, clock: RequestClock): void {
  (context as { [CLOCK]?: RequestClock })[CLOCK] = clock;
}

/**
 * Starts running when created (a multipart request's parse), so time spent waiting for the
 * `operations` and `map` fields counts as much as execution; `flowed()` stops it until
 * FLOW_GAP_MS pass without another chunk. Expiry fires each listener once.
 */
export class RequestClock {
  private spentMs = 0;
  /** When the running stretch began; undefined while bytes flow (or after expiry/stop). */
  private runningSince: number | undefined;
  private lastFlowAt = 0;
  private cancelBudget?: () => void;
  private cancelGap?: () => void;
  private readonly listeners = new Set<() => void>();
  private over = false;
  private stopped = false;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = Date.now,
    private readonly setTimer: SetTimer = realTimer,
  ) {
    this.runningSince = now();
    this.arm();
  }

  get expired(): boolean {
    return this.over;
  }

  /** A chunk of an upload reached its resolver. */
  flowed(): void {
    if (this.over || this.stopped) return;
    this.lastFlowAt = this.now();
    if (this.runningSince !== undefined) {
      this.spentMs += this.lastFlowAt - this.runningSince;
      this.runningSince = undefined;
      this.cancelBudget?.();
      this.cancelBudget = undefined;
    }
    // One gap timer at a time, re-armed for the remainder when it fires early: a timer per chunk would cost more than the chunk.
    if (!this.cancelGap) this.armGap(FLOW_GAP_MS);
  }

  /** Calls `listener` when the budget is spent (at once if it already is); returns an unsubscribe function. */
  onExpire(listener: () => void): () => void {
    if (this.over) {
      queueMicrotask(listener);
      return () => {};
    }
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The request has answered: no timer stays behind. */
  stop(): void {
    this.stopped = true;
    this.cancelBudget?.();
    this.cancelGap?.();
    this.cancelBudget = this.cancelGap = undefined;
    this.listeners.clear();
  }

  private armGap(ms: number): void {
    this.cancelGap = this.setTimer(() => {
      this.cancelGap = undefined;
      const quiet = this.now() - this.lastFlowAt;
      if (quiet < FLOW_GAP_MS) return this.armGap(FLOW_GAP_MS - quiet);
      this.runningSince = this.now();
      this.arm();
    }, ms);
  }

  private arm(): void {
    this.cancelBudget = this.setTimer(
      () => {
        this.cancelBudget = undefined;
        const spent = this.spentMs + (this.runningSince === undefined ? 0 : this.now() - this.runningSince);
        if (spent < this.budgetMs) return this.arm();
        this.over = true;
        this.runningSince = undefined;
        this.cancelGap?.();
        const listeners = [...this.listeners];
        this.listeners.clear();
        for (const listener of listeners) listener();
      },
      Math.max(
        0,
        this.budgetMs - this.spentMs - (this.runningSince === undefined ? 0 : this.now() - this.runningSince),
      ),
    );
  }
}
