// Ends jobs no tracker here runs (registered jobs cancelled or past their expiresAt, a dead instance's jobs); the registry picks one winner.
import type { Clock } from './retry.js';
import { unclaimed } from './registered.js';
import type { JobPublisher, JobRegistry, JobSnapshot, JobState } from './types.js';

export class JobSettler {
  /** Expiry timers of the jobs this instance registered; any instance expires them lazily too. */
  private readonly expiries = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly registry: JobRegistry,
    private readonly clock: Clock,
    private readonly publish: JobPublisher,
  ) {}

  /** Saves the job's final state with the next seq; false when a claim, a cancel or the expiry got there first. */
  async settle(snapshot: JobSnapshot, state: JobState, message?: string): Promise<boolean> {
    const final: JobSnapshot = {
      ...snapshot,
      state,
      seq: snapshot.seq + 1,
      finishedAt: this.clock.now(),
      ...(message ? { message } : {}),
    };
    const stored = await this.registry.save(final);
    if (stored) this.publish(final);
    this.dropExpiry(snapshot.id);
    return stored;
  }

  /** The snapshot as it stands, after failing it if it is a registered job past its `expiresAt`. */
  async expireIfDue(snapshot: JobSnapshot): Promise<JobSnapshot> {
    if (!unclaimed(snapshot) || this.clock.now() < snapshot.expiresAt!) return snapshot;
    const seconds = Math.round((snapshot.expiresAt! - snapshot.createdAt) / 1000);
    await this.settle(
      snapshot,
      'FAILED',
      `nothing was uploaded into this job within ${seconds} s of its creation; create a new one`,
    );
    return (await this.registry.get(snapshot.id)) ?? snapshot;
  }

  /** The job's latest snapshot; a registered job past its `expiresAt` is failed first. */
  async latest(id: string): Promise<JobSnapshot | undefined> {
    const snapshot = await this.registry.get(id);
    return snapshot && this.expireIfDue(snapshot);
  }

  /** So subscribers hear of the expiry when it is due, not only when someone next reads the job. */
  scheduleExpiry(snapshot: JobSnapshot): void {
    const timer = setTimeout(
      () => {
        this.expiries.delete(snapshot.id);
        void this.latest(snapshot.id).then(
          (s) => {
            if (s && unclaimed(s)) this.scheduleExpiry(s);
          },
          () => {},
        );
      },
      Math.max(5, snapshot.expiresAt! - this.clock.now()),
    );
    timer.unref?.();
    this.expiries.set(snapshot.id, timer);
  }

  dropExpiry(id: string): void {
    clearTimeout(this.expiries.get(id));
    this.expiries.delete(id);
  }

  /** Stops every timer (close()); the jobs still expire when any instance next reads them. */
  clearExpiries(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }
}
