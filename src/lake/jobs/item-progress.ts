// What a queued job's items report, batched per job and instance: the aggregate in Redis moves at most once per progress interval from here.
import type { JobTracker } from './tracker.js';
import { describe } from './tracker.js';
import type { ItemReport, SharedJobs } from './shared-job.js';
import { isFinal, type FileError, type JobState } from './types.js';

/** The part of JobTracker that per-file transfer code calls (upload-file.ts, the download loop). */
export type FileProgress = Pick<JobTracker, 'id' | 'progress' | 'fileDone' | 'fileFailed'> & {
  readonly signal: AbortSignal;
};

/**
 * Collects the reports of every item of one job running in this instance and sends them as one
 * APPLY per interval (a job's seq grows by at most ~10 a second per instance, whatever the
 * number of files). `complete(item)` resolves once the item's completion is in Redis: only then
 * is the BullMQ item marked done, so a kill between the two reruns it (idempotently).
 */
export class JobReporter {
  private bytes = new Map<string, number>();
  private done: ItemReport['done'] = [];
  private failed: ItemReport['failed'] = [];
  private items: string[] = [];
  private waiters: { resolve: (state: JobState | 'GONE' | '') => void; reject: (error: unknown) => void }[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private flushing?: Promise<void>;

  constructor(
    readonly jobId: string,
    private readonly shared: SharedJobs,
    private readonly intervalMs: number,
    /** Told when the job turned out final (cancelled elsewhere, completed): its items here stop. */
    private readonly onFinal: (state: JobState | 'GONE') => void,
  ) {}

  tracker(signal: AbortSignal): FileProgress {
    return {
      id: this.jobId,
      signal,
      progress: (file, sent) => {
        if (sent > (this.bytes.get(file) ?? 0)) this.bytes.set(file, sent);
        this.schedule();
      },
      fileDone: (file, size) => {
        this.done.push([file, size]);
        this.schedule();
      },
      fileFailed: (error, cause) => {
        this.failed.push([error.key, { ...error, ...describe(cause) } as FileError]);
        this.schedule();
      },
    };
  }

  /** Sends everything reported so far with the item's completion; resolves with the job's state after. */
  complete(itemId?: string): Promise<JobState | 'GONE' | ''> {
    if (itemId) this.items.push(itemId);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule(true);
    });
  }

  private schedule(now = false): void {
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer && !this.flushing) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** One APPLY at a time: reports keep their order, and a slow Redis batches more per call. */
  private async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.waiters.length > 0) return this.flush();
      return;
    }
    const report: ItemReport = { bytes: [...this.bytes], done: this.done, failed: this.failed, items: this.items };
    const waiters = this.waiters;
    this.bytes = new Map();
    this.done = [];
    this.failed = [];
    this.items = [];
    this.waiters = [];
    this.flushing = (async () => {
      try {
        const state = await this.shared.apply(this.jobId, report);
        if (state === 'GONE' || (state !== '' && isFinal(state))) this.onFinal(state);
        for (const w of waiters) w.resolve(state);
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
      // Reported while this APPLY was under way: next interval.
      if (this.pending()) this.schedule(this.waiters.length > 0);
    }
  }

  private pending(): boolean {
    return (
      this.waiters.length > 0 ||
      this.bytes.size > 0 ||
      this.done.length > 0 ||
      this.failed.length > 0 ||
      this.items.length > 0
    );
  }
}
