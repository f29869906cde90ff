// Builds the job machinery once per app: registry, job service, event bus, transfer engine, upload URL signer.
import type { TransferConfig } from '../config.js';
import { MemoryJobRegistry } from '../lake/jobs/memory-registry.js';
import { ByteBudget } from '../lake/jobs/pool.js';
import { DEFAULT_RETRY } from '../lake/jobs/retry.js';
import { JobService } from '../lake/jobs/service.js';
import type { JobRegistry } from '../lake/jobs/types.js';
import { OwnUploads } from '../lake/store/own-uploads.js';
import type { ObjectStore } from '../lake/store/types.js';
import { uploaderFor } from '../lake/store/uploader.js';
import type { TransferEngine } from '../lake/uploads/engine.js';
import { PutUrlSigner } from '../lake/uploads/put-url.js';
import { createJobEvents, type JobEvents } from './job-events.js';

export interface TransferServices {
  jobs: JobService;
  events: JobEvents;
  engine: TransferEngine;
  putUrls: PutUrlSigner;
  ownUploads: OwnUploads;
  /** At start-up: abort our multipart uploads a crash left behind. */
  cleanUp(): Promise<{ aborted: string[]; errors: string[] }>;
  /** Cancels running jobs and waits for their uploads to be aborted. */
  close(): Promise<void>;
}

export interface TransferDeps {
  /** Where job snapshots live; in memory unless given (Redis, issue 5). */
  registry?: JobRegistry;
  /** What progress events travel on; an in-process EventTarget unless given. */
  eventTarget?: EventTarget;
  urlSecret?: string;
  log?: (message: string) => void;
}

/** The most files one job may have in flight, whatever it asks: the S3 client's socket pool. */
export const MAX_JOB_CONCURRENCY = 64;

export function createTransferServices(store: ObjectStore, config: TransferConfig, deps: TransferDeps = {}): TransferServices {
  const events = createJobEvents(deps.eventTarget);
  const jobs = new JobService({
    registry: deps.registry ?? new MemoryJobRegistry(config.retainJobs),
    publish: (snapshot) => events.publish('job:progress', snapshot.id, snapshot),
    maxRunningJobs: config.maxRunningJobs,
    log: deps.log,
  });
  const ownUploads = new OwnUploads(store);
  const engine: TransferEngine = {
    store,
    uploader: uploaderFor(store, ownUploads),
    uploadRoot: config.uploadRoot,
    downloadRoot: config.downloadRoot,
    budget: new ByteBudget(config.memoryBytes),
    defaults: { concurrency: config.concurrency, partSize: config.partSize, queueSize: config.queueSize },
    retry: { ...DEFAULT_RETRY, maxAttempts: config.attempts },
    maxConcurrency: MAX_JOB_CONCURRENCY,
  };
  return {
    jobs,
    events,
    engine,
    putUrls: new PutUrlSigner(deps.urlSecret),
    ownUploads,
    cleanUp: () => ownUploads.abortStale(config.staleUploadSeconds * 1000),
    close: () => jobs.close(),
  };
}
