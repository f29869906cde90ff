// One running job's counters, turned into numbered snapshots: throttled while bytes flow, immediate on state changes.
import { isLakeError } from '../errors.js';
import type { Clock } from './retry.js';
import {
  isFinal,
  MAX_PLAN_ENTRIES,
  MAX_REPORTED_ERRORS,
  type FileError,
  type JobPublisher,
  type JobRegistry,
  type JobSnapshot,
  type JobState,
  type PlanEntry,
} from './types.js';

export interface TrackerOptions {
  registry: JobRegistry;
  publish: JobPublisher;
  clock: Clock;
  /** Least time between two progress snapshots of one job; state changes and the final state are never held back. */
  intervalMs: number;
  /** Called when an async save fails; the job goes on (progress is advisory, the objects are what matter). */
  onError?: (error: unknown) => void;
}

/** The rate over roughly the last RATE_WINDOW_MS; a job's final snapshot carries its overall average instead. */
const RATE_WINDOW_MS = 2_000;

export class JobTracker {
  private snapshot: JobSnapshot;
  private readonly controller = new AbortController();
  /** Per file, the most bytes any attempt has sent: a retry starts again from zero but progress never goes back. */
  private readonly fileBytes = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastEmit = -Infinity;
  private dirty = false;
  private samples: { at: number; bytes: number }[] = [];
  private saving: Promise<void> = Promise.resolve();
  /** Files an earlier run of this (resumed) job completed: already counted, so their fileDone is a no-op. */
  private readonly doneBefore = new Set<string>();
  /** Bytes counted by this process's progress calls (plus resumed files); transferredBytes never shows less than `floor`. */
  private counted = 0;
  private floor = 0;

  constructor(
    initial: JobSnapshot,
    private readonly options: TrackerOptions,
  ) {
    this.snapshot = initial;
  }

  get id(): string {
    return this.snapshot.id;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get current(): Readonly<JobSnapshot> {
    return this.snapshot;
  }

  /** The first snapshot (seq 1, QUEUED); resolves once it is saved, so `job(id)` answers straight after. */
  async publishInitial(): Promise<JobSnapshot> {
    this.emit();
    await this.saving;
    return this.snapshot;
  }

  cancel(reason = 'cancelled'): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /**
   * A journaled job picked up again after a restart: the files an earlier run stored count as
   * done, and transferredBytes continues from what subscribers last saw (it never goes back).
   * Failures are forgotten: those files are tried again.
   */
  resumeFrom(done: ReadonlyMap<string, number>): void {
    for (const [key, size] of done) {
      this.doneBefore.add(key);
      this.fileBytes.set(key, size);
      this.counted += size;
    }
    this.floor = this.snapshot.transferredBytes;
    this.snapshot = {
      ...this.snapshot,
      doneFiles: done.size,
      failedFiles: 0,
      errors: [],
      transferredBytes: Math.max(this.floor, this.counted),
      bytesPerSecond: 0,
    };
  }

  start(): void {
    // A resumed job keeps the start of its first run.
    this.update({ state: 'RUNNING', startedAt: this.snapshot.startedAt ?? this.options.clock.now() }, true);
    this.samples = [{ at: this.options.clock.now(), bytes: this.snapshot.transferredBytes }];
  }

  /**
   * start() for a job registered elsewhere (possibly by another instance): QUEUED → RUNNING only
   * if nothing else has moved the job on, which the registry's seq compare decides. False when
   * another claim, a cancel or the expiry got there first; the tracker then stays unused.
   */
  async claim(): Promise<boolean> {
    const now = this.options.clock.now();
    const running: JobSnapshot = { ...this.snapshot, state: 'RUNNING', startedAt: now, seq: this.snapshot.seq + 1 };
    await this.saving;
    if (!(await this.options.registry.save(running))) return false;
    this.snapshot = running;
    this.lastEmit = now;
    this.samples = [{ at: now, bytes: 0 }];
    this.options.publish(running);
    return true;
  }

  /** Totals are known before the first byte moves; skipped files are counted here too. */
  plan(totals: { totalFiles: number; totalBytes: number; skippedFiles: number; plan?: PlanEntry[] }): void {
    const plan = totals.plan?.slice(0, MAX_PLAN_ENTRIES);
    this.update(
      {
        totalFiles: totals.totalFiles,
        totalBytes: totals.totalBytes,
        skippedFiles: totals.skippedFiles,
        ...(plan ? { plan } : {}),
      },
      true,
    );
  }

  /** `sent` is the bytes this attempt of the file has sent so far. */
  progress(fileId: string, sent: number): void {
    const before = this.fileBytes.get(fileId) ?? 0;
    if (sent <= before) return;
    this.fileBytes.set(fileId, sent);
    this.counted += sent - before;
    this.update({ transferredBytes: Math.max(this.floor, this.counted) });
  }

  fileDone(fileId: string, size: number): void {
    if (this.doneBefore.delete(fileId)) return;
    this.progress(fileId, size);
    this.update({ doneFiles: this.snapshot.doneFiles + 1 });
  }

  fileSkipped(): void {
    this.update({ skippedFiles: this.snapshot.skippedFiles + 1 });
  }

  fileFailed(error: Omit<FileError, 'code' | 'message' | 'backendCode'>, cause: unknown): void {
    const errors =
      this.snapshot.errors.length < MAX_REPORTED_ERRORS
        ? [...this.snapshot.errors, { ...error, ...describe(cause) }]
        : this.snapshot.errors;
    this.update({ failedFiles: this.snapshot.failedFiles + 1, errors });
  }

  /** An error about the job rather than one file (the bucket is missing): reported in `errors`, not counted as a file. */
  jobError(error: Omit<FileError, 'code' | 'message' | 'backendCode'>, cause: unknown): void {
    if (this.snapshot.errors.length < MAX_REPORTED_ERRORS)
      this.update({ errors: [...this.snapshot.errors, { ...error, ...describe(cause) }] }, true);
  }

  /** Ends the job: the final snapshot is saved and published at once, whatever the throttle says. */
  async finish(state: JobState, message?: string): Promise<JobSnapshot> {
    if (isFinal(this.snapshot.state)) return this.snapshot;
    const now = this.options.clock.now();
    const started = this.snapshot.startedAt ?? now;
    const elapsed = Math.max(1, now - started);
    this.update(
      {
        state,
        finishedAt: now,
        bytesPerSecond: Math.round((this.snapshot.transferredBytes * 1000) / elapsed),
        ...(message ? { message } : {}),
      },
      true,
    );
    await this.saving;
    return this.snapshot;
  }

  private update(patch: Partial<JobSnapshot>, immediate = false): void {
    if (isFinal(this.snapshot.state)) return;
    this.snapshot = { ...this.snapshot, ...patch };
    this.dirty = true;
    const now = this.options.clock.now();
    if (immediate || now - this.lastEmit >= this.options.intervalMs) {
      this.emit();
    } else if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          if (this.dirty) this.emit();
        },
        this.options.intervalMs - (now - this.lastEmit),
      );
      this.timer.unref?.();
    }
  }

  private emit(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.options.clock.now();
    this.lastEmit = now;
    this.dirty = false;
    if (this.snapshot.state === 'RUNNING') this.snapshot = { ...this.snapshot, bytesPerSecond: this.rate(now) };
    this.snapshot = { ...this.snapshot, seq: this.snapshot.seq + 1 };
    const published = this.snapshot;
    // Saves are chained so the registry and subscribers see snapshots in sequence order.
    this.saving = this.saving
      .then(() => this.options.registry.save(published))
      .then(() => this.options.publish(published))
      .catch((error) => this.options.onError?.(error));
  }

  private rate(now: number): number {
    const bytes = this.snapshot.transferredBytes;
    this.samples.push({ at: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1].at >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = now - first.at;
    return dt > 0 ? Math.round(((bytes - first.bytes) * 1000) / dt) : 0;
  }
}

export function describe(cause: unknown): Pick<FileError, 'code' | 'message' | 'backendCode'> {
  if (isLakeError(cause))
    return {
      code: cause.code,
      message: cause.message,
      ...(cause.backendCode ? { backendCode: cause.backendCode } : {}),
    };
  return { code: 'STORE_ERROR', message: cause instanceof Error ? cause.message : String(cause) };
}
