// Starts, queues, cancels and lists jobs; the work itself is a function handed a JobTracker.
import { randomUUID } from 'node:crypto';
import { isLakeError } from '../errors.js';
import { systemClock, type Clock } from './retry.js';
import { JobTracker } from './tracker.js';
import { isFinal, type JobFilter, type JobKind, type JobPublisher, type JobRegistry, type JobSnapshot, type JobState } from './types.js';

export interface JobServiceOptions {
  registry: JobRegistry;
  publish?: JobPublisher;
  clock?: Clock;
  /** Jobs running at once in this instance; the rest wait QUEUED. */
  maxRunningJobs?: number;
  /** Least ms between progress snapshots of one job (100 ≈ 10 a second). */
  progressIntervalMs?: number;
  log?: (message: string) => void;
}

/**
 * What a job does once it runs. Resolve when done; per-file failures go through the tracker.
 * Throw to fail the whole job (its message becomes the job's). The tracker's signal aborts on cancel.
 */
export type JobWork = (tracker: JobTracker) => Promise<void>;

export interface JobSpec {
  kind: JobKind;
  description: string;
  dryRun?: boolean;
  work: JobWork;
}

export class JobService {
  readonly registry: JobRegistry;
  private readonly running = new Map<string, { tracker: JobTracker; done: Promise<void> }>();
  private readonly queue: { tracker: JobTracker; work: JobWork }[] = [];
  private readonly publishers = new Set<JobPublisher>();
  private readonly clock: Clock;
  private readonly maxRunning: number;
  private readonly interval: number;
  private readonly log: (message: string) => void;

  constructor(options: JobServiceOptions) {
    this.registry = options.registry;
    if (options.publish) this.publishers.add(options.publish);
    this.clock = options.clock ?? systemClock;
    this.maxRunning = Math.max(1, options.maxRunningJobs ?? 2);
    this.interval = options.progressIntervalMs ?? 100;
    this.log = options.log ?? (() => {});
  }

  /** Adds a listener for every published snapshot (tests, the GraphQL pub/sub); returns its remover. */
  onPublish(publisher: JobPublisher): () => void {
    this.publishers.add(publisher);
    return () => this.publishers.delete(publisher);
  }

  /** Registers the job (QUEUED, seq 1) and starts it when a slot is free. */
  async start(spec: JobSpec): Promise<JobSnapshot> {
    const tracker = new JobTracker({
      id: randomUUID(), kind: spec.kind, state: 'QUEUED', seq: 0, description: spec.description, dryRun: spec.dryRun ?? false,
      createdAt: this.clock.now(), totalFiles: 0, doneFiles: 0, failedFiles: 0, skippedFiles: 0, totalBytes: 0, transferredBytes: 0,
      bytesPerSecond: 0, errors: [],
    }, {
      registry: this.registry,
      publish: (s) => { for (const p of this.publishers) p(s); },
      clock: this.clock,
      intervalMs: this.interval,
      onError: (error) => this.log(`job progress could not be saved: ${error instanceof Error ? error.message : String(error)}`),
    });
    const first = await tracker.publishInitial();
    this.queue.push({ tracker, work: spec.work });
    this.pump();
    return first;
  }

  /** Cancels a queued or running job of this instance; returns the job's snapshot (final ones unchanged), or undefined. */
  async cancel(id: string): Promise<JobSnapshot | undefined> {
    const queued = this.queue.findIndex((q) => q.tracker.id === id);
    if (queued >= 0) {
      const [{ tracker }] = this.queue.splice(queued, 1);
      tracker.cancel();
      return tracker.finish('CANCELLED');
    }
    const running = this.running.get(id);
    if (running) {
      running.tracker.cancel();
      await running.done;
    }
    return this.registry.get(id);
  }

  get(id: string): Promise<JobSnapshot | undefined> {
    return this.registry.get(id);
  }

  list(filter?: JobFilter): Promise<JobSnapshot[]> {
    return this.registry.list(filter);
  }

  /** Resolves once the job is final (for tests and callers that wait); undefined for unknown ids. */
  async wait(id: string): Promise<JobSnapshot | undefined> {
    const running = this.running.get(id);
    if (running) await running.done;
    let snapshot = await this.registry.get(id);
    while (snapshot && !isFinal(snapshot.state)) {
      await this.clock.sleep(10);
      await this.running.get(id)?.done;
      snapshot = await this.registry.get(id);
    }
    return snapshot;
  }

  /** Cancels everything and waits for the jobs to wind down (their multipart uploads aborted). */
  async close(): Promise<void> {
    for (const { tracker } of this.queue.splice(0)) {
      tracker.cancel();
      await tracker.finish('CANCELLED');
    }
    const running = [...this.running.values()];
    for (const r of running) r.tracker.cancel();
    await Promise.all(running.map((r) => r.done));
  }

  private pump(): void {
    while (this.running.size < this.maxRunning && this.queue.length > 0) {
      const { tracker, work } = this.queue.shift()!;
      const done = this.run(tracker, work).finally(() => {
        this.running.delete(tracker.id);
        this.pump();
      });
      this.running.set(tracker.id, { tracker, done });
    }
  }

  private async run(tracker: JobTracker, work: JobWork): Promise<void> {
    tracker.start();
    let state: JobState;
    let message: string | undefined;
    try {
      await work(tracker);
      state = tracker.signal.aborted ? 'CANCELLED' : tracker.current.failedFiles > 0 ? 'FAILED' : 'SUCCEEDED';
      if (state === 'FAILED') message = `${tracker.current.failedFiles} of ${tracker.current.totalFiles} files failed`;
    } catch (error) {
      // A cancel makes in-flight requests fail in all sorts of ways; the user asked for it, so it is CANCELLED.
      if (tracker.signal.aborted) {
        state = 'CANCELLED';
      } else {
        state = 'FAILED';
        message = error instanceof Error ? error.message : String(error);
        if (!isLakeError(error)) this.log(`job ${tracker.id} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    await tracker.finish(state, message);
  }
}
