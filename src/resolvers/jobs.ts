// Job resolvers: start, cancel, look up, and follow a job's snapshots (snapshot first, then updates, final state last).
import { NotFoundError } from '../lake/errors.js';
import { isFinal, type JobFilter, type JobSnapshot } from '../lake/jobs/types.js';
import { backfillJob, type BackfillOptions } from '../lake/uploads/backfill.js';
import { downloadJob, type DownloadOptions } from '../lake/uploads/download.js';
import type { Context } from './context.js';
import type { TransferServices } from '../services/transfers.js';

export function transfers(ctx: Context): TransferServices {
  return ctx.services.transfers;
}

/** A dry run answers with its finished plan; a real one with the job as registered (QUEUED). */
export async function startBackfill(ctx: Context, options: BackfillOptions): Promise<JobSnapshot> {
  const { jobs, engine } = transfers(ctx);
  const started = await jobs.start(await backfillJob(engine, options));
  return options.dryRun ? ((await jobs.wait(started.id)) ?? started) : started;
}

export async function startDownload(ctx: Context, options: DownloadOptions): Promise<JobSnapshot> {
  const { jobs, engine } = transfers(ctx);
  return jobs.start(await downloadJob(engine, options));
}

/** Resolves once the job has wound down (its multipart uploads aborted), with its final snapshot. */
export async function cancelJob(ctx: Context, id: string): Promise<JobSnapshot> {
  const snapshot = await transfers(ctx).cancel(id);
  if (!snapshot) throw new NotFoundError(`no job ${id}`);
  return snapshot;
}

export async function job(ctx: Context, id: string): Promise<JobSnapshot | null> {
  return (await transfers(ctx).jobs.get(id)) ?? null;
}

export function jobs(ctx: Context, filter: JobFilter): Promise<JobSnapshot[]> {
  return transfers(ctx).jobs.list(filter);
}

/** Longest a subscriber waits on silence before checking the registry itself. */
const RECHECK_MS = 1000;
/** How long events that the registry shows were published may take to arrive before the subscriber jumps to the registry's snapshot. */
const GAP_WAIT_MS = 500;

/**
 * Listens before reading the snapshot, so nothing published in between is lost; drops anything
 * not newer than what was sent. Without `after`: the current snapshot, then updates. With
 * `after` (the last seq a client saw): every state change since, then updates. Ends after the
 * final state.
 */
export async function* jobProgress(ctx: Context, id: string, after?: number): AsyncGenerator<JobSnapshot> {
  const { jobs, events } = transfers(ctx);
  const iterator = events.subscribe('job:progress', id)[Symbol.asyncIterator]();
  // The first next() starts the subscription (registers the listener) synchronously.
  let pending = iterator.next();
  try {
    await transfers(ctx).subscribed?.(id);
    const current = await jobs.get(id);
    if (!current) throw new NotFoundError(`no job ${id}`);
    let last = 0;
    const catchUp = after === undefined || after > current.seq ? [current] : await jobs.registry.since(id, after);
    if (after !== undefined && after <= current.seq) last = after;
    for (const snapshot of catchUp) {
      if (snapshot.seq <= last && after !== undefined) continue;
      last = snapshot.seq;
      yield snapshot;
      if (isFinal(snapshot.state)) return;
    }
    if (isFinal(current.state)) return;
    for (;;) {
      // Events can be missed across instances (a Redis SUBSCRIBE is confirmed after the snapshot was
      // read, or a reconnect): without one for RECHECK_MS, the registry is asked, so no final state is lost.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<'quiet'>((resolve) => {
        timer = setTimeout(() => resolve('quiet'), RECHECK_MS);
      });
      const next = await Promise.race([pending, quiet]).finally(() => clearTimeout(timer));
      if (next === 'quiet') {
        const latest = await jobs.get(id);
        // A loaded event loop can fire the timer while events already sit in the subscriber's
        // socket: let pending I/O run first, and prefer those events (in order) to a jump ahead.
        await new Promise((resolve) => setImmediate(resolve));
        if (await settled(pending)) continue;
        if (!latest || latest.seq <= last) continue;
        // Redis flushes its clients' output in no set order: the registry may answer before the
        // subscriber's socket delivers the events in between. Give them a moment before jumping.
        if (latest.seq > last + 1 && !isFinal(latest.state) && (await settledWithin(pending, GAP_WAIT_MS))) continue;
        last = latest.seq;
        yield latest;
        if (isFinal(latest.state)) return;
        continue;
      }
      const { value, done } = next;
      if (done) return;
      pending = iterator.next();
      if (value.seq <= last) continue;
      last = value.seq;
      yield value;
      if (isFinal(value.state)) return;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Whether a promise has settled already (without waiting for it). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (
    (await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      Promise.resolve(marker),
    ])) !== marker
  );
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}
