// Starts, queues, cancels and lists jobs, and registers jobs whose work arrives later; the work itself is a function handed a JobTracker.
import { randomUUID } from 'node:crypto';
import { context as traceContext, ROOT_CONTEXT, type Context as TraceContext } from '@opentelemetry/api';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { queuedSnapshot, type JobContext, type JobSpec, type JobWork, type RegisteredJobSpec } from './job-spec.js';
import type { JobJournal, JobRequest, JournaledJob } from './journal.js';
import { systemClock, type Clock } from './retry.js';
import { refusal, unclaimed } from './registered.js';
import { runWork } from './run-work.js';
import { JobSettler } from './settle.js';
import { JobTracker } from './tracker.js';
import {
  isFinal,
  type JobFilter,
  type JobKind,
  type JobPublisher,
  type JobRegistry,
  type JobSnapshot,
  type JobState,
} from './types.js';

export interface JobServiceOptions {
  registry: JobRegistry;
  publish?: JobPublisher;
  clock?: Clock;
  /** Jobs started with start() running at once in this instance; the rest wait QUEUED. Claimed jobs are not counted. */
  maxRunningJobs?: number;
  /** Least ms between progress snapshots of one job (100 ≈ 10 a second). */
  progressIntervalMs?: number;
  log?: (message: string) => void;
  /** Where jobs with a `request` are journaled, to be resumed after a restart (single instance, no Redis). */
  journal?: JobJournal;
  /** With Redis: where jobs with a `request` go instead of running here (job-queue.ts); the job's seq-1 snapshot is handed over. */
  offload?: (first: JobSnapshot, request: JobRequest) => Promise<void>;
}

export class JobService {
  readonly registry: JobRegistry;
  private readonly running = new Map<string, { tracker: JobTracker; done: Promise<void> }>();
  /** Registered jobs this instance claimed: running too, but outside `maxRunning` (their bytes are already arriving). */
  private readonly claimed = new Map<string, { tracker: JobTracker; done: Promise<void> }>();
  /**
   * `trace`: the trace context of the request that started the job, its work's spans' parent. A job
   * waiting for a slot is started by whichever job ended, so it must not inherit that one's context.
   */
  private readonly queue: { tracker: JobTracker; work: JobWork; context?: JobContext; trace: TraceContext }[] = [];
  private readonly publishers = new Set<JobPublisher>();
  private readonly publishAll = (snapshot: JobSnapshot): void => {
    for (const p of this.publishers) p(snapshot);
  };
  private readonly settler: JobSettler;
  private readonly clock: Clock;
  private readonly maxRunning: number;
  private readonly interval: number;
  private readonly log: (message: string) => void;
  private readonly journal?: JobJournal;
  private readonly offload?: JobServiceOptions['offload'];
  /** Set by close(): journaled jobs stopped from then on are interrupted (resumed at the next start), not cancelled. */
  private closing = false;

  constructor(options: JobServiceOptions) {
    this.registry = options.registry;
    if (options.publish) this.publishers.add(options.publish);
    this.clock = options.clock ?? systemClock;
    this.maxRunning = Math.max(1, options.maxRunningJobs ?? 2);
    this.interval = options.progressIntervalMs ?? 100;
    this.log = options.log ?? (() => {});
    this.journal = options.journal;
    this.offload = options.offload;
    this.settler = new JobSettler(this.registry, this.clock, this.publishAll);
  }

  /** Adds a listener for every published snapshot (tests, the GraphQL pub/sub); returns its remover. */
  onPublish(publisher: JobPublisher): () => void {
    this.publishers.add(publisher);
    return () => this.publishers.delete(publisher);
  }

  /** Registers the job (QUEUED, seq 1) and starts it when a slot is free. `context` is handed to its work. */
  async start(spec: JobSpec, context?: JobContext): Promise<JobSnapshot> {
    const initial = queuedSnapshot(randomUUID(), spec.kind, spec.description, this.clock.now(), {
      dryRun: spec.dryRun ?? false,
    });
    if (this.offload && spec.request && !spec.dryRun && !context) {
      const first = { ...initial, seq: 1 };
      await this.offload(first, spec.request);
      return first;
    }
    const tracker = this.tracker(initial);
    const first = await tracker.publishInitial();
    if (this.journal && spec.request && !spec.dryRun && !context) {
      await this.journal.record(first, spec.request);
      context = { files: await this.journal.fileLog(first.id) };
    }
    this.queue.push({ tracker, work: spec.work, context, trace: traceContext.active() });
    this.pump();
    return first;
  }

  /**
   * Picks up a journaled job after a restart: its snapshots continue from the journaled seq (a
   * subscriber resuming with the seq it last saw misses nothing), files it stored are not sent
   * again, and files cut off mid-way resume at the part (see upload-file.ts, download-file.ts).
   */
  async resume(entry: JournaledJob, spec: JobSpec): Promise<JobSnapshot> {
    if (!this.journal) throw new Error('resume needs a journal');
    await this.registry.save(entry.snapshot);
    const files = await this.journal.fileLog(entry.snapshot.id);
    const done = new Map<string, number>();
    for (const [key, record] of files.previous) if (record.state === 'done') done.set(key, record.size);
    const tracker = this.tracker(entry.snapshot);
    tracker.resumeFrom(done);
    const first = await tracker.publishInitial();
    // Resumed after a restart: no request asked for it now, so its spans start traces of their own.
    this.queue.push({ tracker, work: spec.work, context: { files }, trace: ROOT_CONTEXT });
    this.pump();
    return first;
  }

  /**
   * Ends a job whose owner is gone (declared dead by its lease, see leases.ts): the final state is
   * saved with the next seq and published, so subscribers on every instance receive it.
   */
  async endOrphan(id: string, state: JobState, message: string): Promise<JobSnapshot | undefined> {
    const snapshot = await this.registry.get(id);
    if (!snapshot || isFinal(snapshot.state)) return snapshot;
    await this.settler.settle(snapshot, state, message);
    return this.registry.get(id);
  }

  /** Ends a journaled job that cannot be resumed (its source or root is gone), saying why. */
  async abandon(entry: JournaledJob, message: string): Promise<JobSnapshot> {
    await this.registry.save(entry.snapshot);
    return this.tracker(entry.snapshot).finish('FAILED', message);
  }

  /**
   * Registers a job (QUEUED, seq 1, `expiresAt` set) that nothing runs yet: claim() runs it, on
   * any instance sharing the registry. Unclaimed at `expiresAt`, it fails: by this instance's
   * timer, or by whichever instance reads it next if this one is gone.
   */
  async register(spec: RegisteredJobSpec): Promise<JobSnapshot> {
    const now = this.clock.now();
    const first = await this.tracker(
      queuedSnapshot(randomUUID(), spec.kind, spec.description, now, {
        totalFiles: spec.totalFiles,
        totalBytes: spec.totalBytes,
        expiresAt: now + spec.timeoutMs,
        ...(spec.key ? { key: spec.key } : {}),
      }),
    ).publishInitial();
    this.settler.scheduleExpiry(first);
    return first;
  }

  /**
   * Runs a registered job here, at once (its bytes are already arriving: no queue slot is waited
   * for), and resolves with its final snapshot. Exactly one claim of a job wins, whichever
   * instance makes it; a job cancelled, expired or claimed before is refused with a typed error.
   */
  async claim(id: string, kind: JobKind, work: JobWork): Promise<JobSnapshot> {
    const current = await this.get(id);
    if (!current || current.kind !== kind) throw new NotFoundError(`no ${kind} job ${id}`);
    if (this.claimed.has(id)) throw new PreconditionFailedError(`job ${id} is already receiving its upload`);
    if (!unclaimed(current)) throw refusal(current);
    const tracker = this.tracker(current);
    // Listed before the claim is decided, so a cancel arriving meanwhile reaches it.
    const won = (async () => {
      if (!(await tracker.claim())) return false;
      this.settler.dropExpiry(id);
      await this.run(tracker, work, true);
      return true;
    })();
    this.claimed.set(id, {
      tracker,
      done: won.then(
        () => {},
        () => {},
      ),
    });
    try {
      if (!(await won)) throw refusal((await this.registry.get(id)) ?? current);
    } finally {
      this.claimed.delete(id);
    }
    return tracker.current;
  }

  /** Cancels a queued or running job of this instance; returns the job's snapshot (final ones unchanged), or undefined. */
  async cancel(id: string): Promise<JobSnapshot | undefined> {
    const queued = this.queue.findIndex((q) => q.tracker.id === id);
    if (queued >= 0) {
      const [{ tracker }] = this.queue.splice(queued, 1);
      tracker.cancel();
      return tracker.finish('CANCELLED');
    }
    const running = this.running.get(id) ?? this.claimed.get(id);
    if (running) {
      running.tracker.cancel();
      await running.done;
      return this.registry.get(id);
    }
    // A registered job nobody has claimed yet: any instance may settle it, the registry picks one winner.
    const snapshot = await this.get(id);
    if (snapshot && unclaimed(snapshot)) await this.settler.settle(snapshot, 'CANCELLED');
    return this.registry.get(id);
  }

  /** The job's latest snapshot; a registered job past its `expiresAt` is failed first. */
  async get(id: string): Promise<JobSnapshot | undefined> {
    return this.settler.latest(id);
  }

  async list(filter: JobFilter = {}): Promise<JobSnapshot[]> {
    const all = await Promise.all((await this.registry.list(filter)).map((s) => this.settler.expireIfDue(s)));
    return filter.state === undefined ? all : all.filter((s) => s.state === filter.state);
  }

  /** Resolves once the job is final (for tests and callers that wait); undefined for unknown ids. */
  async wait(id: string): Promise<JobSnapshot | undefined> {
    await (this.running.get(id) ?? this.claimed.get(id))?.done;
    let snapshot = await this.get(id);
    while (snapshot && !isFinal(snapshot.state)) {
      await this.clock.sleep(10);
      await (this.running.get(id) ?? this.claimed.get(id))?.done;
      snapshot = await this.get(id);
    }
    return snapshot;
  }

  /**
   * Cancels everything and waits for the jobs to wind down (their multipart uploads aborted).
   * Journaled jobs are interrupted instead: no final state, so the next start resumes them.
   * Registered jobs not yet claimed are left alone: with a shared registry another instance may
   * still receive their upload, and any instance expires them.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.settler.clearExpiries();
    for (const { tracker, context } of this.queue.splice(0)) {
      tracker.cancel();
      // A journaled job keeps its place in the journal: the next start runs it.
      if (!context?.files) await tracker.finish('CANCELLED');
    }
    const running = [...this.running.values(), ...this.claimed.values()];
    for (const r of running) r.tracker.cancel();
    await Promise.all(running.map((r) => r.done));
  }

  private pump(): void {
    while (this.running.size < this.maxRunning && this.queue.length > 0) {
      const { tracker, work, context, trace } = this.queue.shift()!;
      const done = traceContext
        .with(trace, () => this.run(tracker, work, false, context))
        .finally(() => {
          this.running.delete(tracker.id);
          this.pump();
        });
      this.running.set(tracker.id, { tracker, done });
    }
  }

  private tracker(initial: JobSnapshot): JobTracker {
    return new JobTracker(initial, {
      registry: this.registry,
      publish: this.publishAll,
      clock: this.clock,
      intervalMs: this.interval,
      onError: (error) =>
        this.log(`job progress could not be saved: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  private run(tracker: JobTracker, work: JobWork, claimed = false, context?: JobContext): Promise<void> {
    return runWork(tracker, work, { claimed, context, closing: () => this.closing, log: this.log });
  }
}
