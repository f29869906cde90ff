// Builds the job machinery once per app: registry, job service, event bus, transfer engine, upload URL signer.
import type { TransferConfig } from '../config.js';
import { MemoryJobRegistry } from '../lake/jobs/memory-registry.js';
import { ByteBudget } from '../lake/jobs/pool.js';
import { DEFAULT_RETRY } from '../lake/jobs/retry.js';
import type { JobJournal } from '../lake/jobs/journal.js';
import type { DeadJob, JobLeases } from '../lake/jobs/leases.js';
import { JournaledRegistry } from '../lake/jobs/journaled-registry.js';
import type { JobSpec } from '../lake/jobs/job-spec.js';
import { JobService } from '../lake/jobs/service.js';
import { isFinal, type JobRegistry, type JobSnapshot } from '../lake/jobs/types.js';
import type { RemoteCancel } from '../lake/jobs/remote-cancel.js';
import type { JobQueue, QueuedWork } from '../lake/jobs/job-queue.js';
import { queuedTransfers } from '../lake/uploads/queued-work.js';
import { OwnUploads } from '../lake/store/own-uploads.js';
import type { ObjectStore } from '../lake/store/types.js';
import { uploaderFor } from '../lake/store/uploader.js';
import { backfillJob, type BackfillOptions } from '../lake/uploads/backfill.js';
import { downloadJob, type DownloadOptions } from '../lake/uploads/download.js';
import type { TransferEngine } from '../lake/uploads/engine.js';
import { PutUrlSigner } from '../lake/uploads/put-url.js';
import { createJobEvents, type JobEvents } from './job-events.js';

export interface TransferServices {
  jobs: JobService;
  events: JobEvents;
  engine: TransferEngine;
  putUrls: PutUrlSigner;
  ownUploads: OwnUploads;
  /** How long an UPLOAD job waits for its upload (LAKEQL_UPLOAD_JOB_TIMEOUT). */
  uploadJobTimeoutMs: number;
  /** At start-up: abort our multipart uploads a crash left behind. */
  cleanUp(): Promise<{ aborted: string[]; errors: string[] }>;
  /**
   * At start-up, after cleanUp: the journaled jobs a crash interrupted run again (see
   * JobService.resume); one that cannot (its source or root is gone) ends FAILED saying why.
   */
  resumeJournaled(): Promise<{ resumed: number; failed: number }>;
  /** Cancels running jobs and waits for their uploads to be aborted. */
  close(): Promise<void>;
  /**
   * With Redis: resolves once this instance's subscription to the job's events is in place, so a
   * snapshot read after it is followed by every later event (none falls between the two).
   */
  subscribed?(id: string): Promise<void>;
  /** Ends a job whose instance was declared dead (leases.ts): its uploads aborted, FAILED saying why. */
  reapDead(dead: DeadJob): Promise<void>;
  /**
   * Cancels a job wherever it runs: here directly; on another instance (with Redis) by asking it
   * over Redis and waiting, at most REMOTE_CANCEL_WAIT_MS, for the registry to show it final.
   */
  cancel(id: string): Promise<JobSnapshot | undefined>;
}

export interface TransferDeps {
  /** Where job snapshots live; in memory unless given (Redis with LAKEQL_REDIS_URL). */
  registry?: JobRegistry;
  /** What progress events travel on; an in-process EventTarget unless given. */
  eventTarget?: EventTarget;
  urlSecret?: string;
  log?: (message: string) => void;
  /** Reaches the instance running a job (Redis); without it only this instance's jobs can be cancelled. */
  remoteCancel?: RemoteCancel;
  /** Owner liveness over Redis: jobs of a dead instance are ended, its uploads aborted. */
  leases?: JobLeases;
  /** Journals backfills and downloads so a restart resumes them (single instance; see LAKEQL_STATE_DIR). */
  journal?: JobJournal;
  /** Told of every object a job stored (a catalog index keeping itself current). */
  onFileStored?: TransferEngine['onFileStored'];
  /** Resolves once events of the job reach this instance (TransferServices.subscribed). */
  subscribed?: (id: string) => Promise<void>;
  /** With Redis: backfills and downloads go on a BullMQ queue that every instance's workers take items from. */
  queue?: (work: QueuedWork, abortUploadsOf: (instanceId: string) => Promise<number>) => QueuedJobs;
}

/** The queue of backfills and downloads (job-queue.ts) and how a queued job is cancelled from any instance. */
export interface QueuedJobs {
  queue: JobQueue;
  /** Resolves once no live worker holds an item of the job any more and the job is CANCELLED. */
  cancel(id: string): Promise<void>;
}

/** How long cancelJob waits for another instance to wind a job down before answering with its state then. */
export const REMOTE_CANCEL_WAIT_MS = 30_000;

/** The most files one job may have in flight, whatever it asks: the S3 client's socket pool. */
export const MAX_JOB_CONCURRENCY = 64;

export function createTransferServices(
  store: ObjectStore,
  config: TransferConfig,
  deps: TransferDeps = {},
): TransferServices {
  const events = createJobEvents(deps.eventTarget);
  const journal = deps.journal;
  const registry = deps.registry ?? new MemoryJobRegistry(config.retainJobs);
  const jobs = new JobService({
    registry: journal ? new JournaledRegistry(registry, journal) : registry,
    journal,
    publish: (snapshot) => events.publish('job:progress', snapshot.id, snapshot),
    maxRunningJobs: config.maxRunningJobs,
    log: deps.log,
    offload: deps.queue ? (first, request) => queued!.queue.submit(first, request) : undefined,
  });
  const leases = deps.leases;
  const ownUploads = new OwnUploads(store, Date.now, leases?.instanceId);
  if (leases) {
    // Every job this instance runs or queues is owned by it until final; unclaimed UPLOAD jobs belong to nobody yet.
    const owned = new Set<string>();
    jobs.onPublish((snapshot) => {
      if (isFinal(snapshot.state)) {
        if (owned.delete(snapshot.id)) void leases.release(snapshot.id).catch(() => {});
      } else if (!owned.has(snapshot.id) && !(snapshot.state === 'QUEUED' && snapshot.expiresAt !== undefined)) {
        owned.add(snapshot.id);
        void leases.own(snapshot.id).catch(() => {});
      }
    });
  }
  const leaseSeconds = (leases ? config.leaseMs : 0) / 1000;
  const reap = async (dead: DeadJob, state: 'FAILED' | 'CANCELLED', why: string) => {
    const { aborted } = await ownUploads.abortOwnedBy(dead.owner).catch(() => ({ aborted: [] as string[] }));
    const uploads = aborted.length > 0 ? `; ${aborted.length} unfinished multipart uploads it left were aborted` : '';
    return jobs.endOrphan(
      dead.jobId,
      state,
      `${why}: the instance running it (${dead.owner}) stopped renewing its ${leaseSeconds} s lease and was taken for dead${uploads}`,
    );
  };
  const engine: TransferEngine = {
    store,
    uploader: uploaderFor(store, ownUploads),
    uploadRoot: config.uploadRoot,
    downloadRoot: config.downloadRoot,
    budget: new ByteBudget(config.memoryBytes),
    defaults: { concurrency: config.concurrency, partSize: config.partSize, queueSize: config.queueSize },
    retry: { ...DEFAULT_RETRY, maxAttempts: config.attempts },
    maxConcurrency: MAX_JOB_CONCURRENCY,
    uploadHooks: ownUploads,
    onFileStored: deps.onFileStored,
  };
  // Built after the engine, which its work uses; the service above only reaches it once a job starts.
  const queued = deps.queue?.(
    queuedTransfers(engine),
    async (instanceId) => (await ownUploads.abortOwnedBy(instanceId)).aborted.length,
  );
  const rebuild = (kind: string, options: unknown): Promise<JobSpec> => {
    if (kind === 'BACKFILL') return backfillJob(engine, options as BackfillOptions);
    if (kind === 'DOWNLOAD') return downloadJob(engine, options as DownloadOptions);
    return Promise.reject(new Error(`a ${kind} job cannot be resumed`));
  };
  return {
    jobs,
    events,
    engine,
    putUrls: new PutUrlSigner(deps.urlSecret),
    ownUploads,
    uploadJobTimeoutMs: config.uploadJobTimeoutSeconds * 1000,
    cleanUp: () => ownUploads.abortStale(config.staleUploadSeconds * 1000),
    async resumeJournaled() {
      let resumed = 0;
      let failed = 0;
      if (!journal) return { resumed, failed };
      await journal.prune(config.retainJobs);
      for (const entry of await journal.jobs()) {
        if (isFinal(entry.snapshot.state)) {
          // Finished before the restart: still answered by job(id) and jobs().
          await registry.save(entry.snapshot);
          continue;
        }
        let spec: JobSpec;
        try {
          spec = await rebuild(entry.request.kind, entry.request.options);
        } catch (error) {
          await jobs.abandon(
            entry,
            `the job could not be resumed after a restart: ${error instanceof Error ? error.message : String(error)}`,
          );
          failed++;
          continue;
        }
        await jobs.resume(entry, spec);
        resumed++;
      }
      return { resumed, failed };
    },
    ...(deps.subscribed ? { subscribed: deps.subscribed } : {}),
    async close() {
      await jobs.close();
      await journal?.close();
    },
    async reapDead(dead) {
      await reap(dead, 'FAILED', 'job lost');
    },
    async cancel(id) {
      if (queued && (await queued.queue.shared.has(id))) {
        const current = await jobs.get(id);
        if (current && !isFinal(current.state)) await queued.cancel(id);
        return jobs.get(id);
      }
      const snapshot = await jobs.cancel(id);
      if (!snapshot || isFinal(snapshot.state) || !deps.remoteCancel) return snapshot;
      // Nobody would answer a cancel request for a dead instance's job: end it here, at once.
      const owner = await leases?.deadOwner(id);
      if (owner && (await leases!.declare(id, owner))) return reap({ jobId: id, owner }, 'CANCELLED', 'cancelled');
      await deps.remoteCancel.request(id);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), REMOTE_CANCEL_WAIT_MS);
      });
      const final = await Promise.race([jobs.wait(id), late]).finally(() => clearTimeout(timer));
      return final ?? jobs.get(id);
    },
  };
}
