// The composition root: every long-lived service (store, bar reader, signers, transfers, Redis wiring) is built here, once.
import type { Config } from '../config.js';
import { BarFileReader } from '../lake/bars/reader.js';
import type { JobJournal } from '../lake/jobs/journal.js';
import { CatalogIndex } from '../lake/catalog-index/catalog-index.js';
import { reportWrite, WatchedStore, watchUploader, type WrittenEntry } from '../lake/catalog-index/watched-store.js';
import { FundamentalsCache } from '../lake/fundamentals-cache.js';
import { LakeVersionCounter } from '../lake/lake-version.js';
import { CountingStore, type CountingStoreOptions } from '../lake/store/counting.js';
import { openStore, type LakeLocation } from '../lake/store/open.js';
import type { S3RequestEvent } from '../lake/store/s3/observe.js';
import { isPresigner, type ObjectStore, type Presigner } from '../lake/store/types.js';
import { ReferenceData } from '../lake/reference.js';
import { uploaderFor } from '../lake/store/uploader.js';
import { UrlSigner } from '../lake/url-signer.js';
import { catalogChannel, connectCatalogSync, type CatalogSync } from './catalog-sync.js';
import { openJournal } from './journal.js';
import { connectRedis, type RedisTransfers } from './redis.js';
import { createTransferServices, type TransferDeps, type TransferServices } from './transfers.js';
import { startTracing, type Tracing } from './tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Long-lived parts shared by the HTTP routes and the resolvers. */
export interface Services {
  config: Config;
  store: ObjectStore;
  location: LakeLocation;
  /** Present when the store can presign (S3); otherwise lakeql signs its own /files URLs. */
  presigner?: Presigner;
  urlSigner: UrlSigner;
  /** Reads bar files through the footer and decoded-file caches (keyed by key + ETag). */
  bars: BarFileReader;
  /** Upload and download jobs, their progress events, and single-object writes. */
  transfers: TransferServices;
  /** Names, exchanges and types from data/reference/symbols.json, read again when its ETag changes. */
  reference: ReferenceData;
  /** The instance's Redis commands connection (LAKEQL_REDIS_URL), shared by the rate limiter. */
  redis?: RedisTransfers['client'];
  /** The lake's listings in memory, fresh within LAKEQL_CATALOG_MAX_AGE (off at 0). */
  catalog: CatalogIndex;
  /** Moves whenever the lake may have changed: writes here or elsewhere (Redis), refreshes that found a difference. */
  lakeVersion: LakeVersionCounter;
  /** Parsed fundamentals JSON by key + ETag (LAKEQL_FUNDAMENTALS_CACHE_BYTES). */
  fundamentals: FundamentalsCache;
  /**
   * Tells the index (here and, with Redis, everywhere) of an object written around lakeql's store
   * that lakeql vouches for: a presigned PUT confirmed by completeUpload. Writes through the store are reported by themselves.
   */
  noteWritten(key: string): Promise<void>;
  /** The process's tracer provider when OTEL_* (or a test) turned tracing on; shut down last by app.stop(). */
  tracing?: Tracing;
}

export interface ServiceDeps {
  /** Use this store instead of opening `config.lake` (tests pass instrumented stores). */
  store?: ObjectStore;
  location?: LakeLocation;
  log?: (message: string) => void;
  /** Bar reader (and so its caches and decode pool) to use; tests pass one to watch or size its cache. */
  bars?: BarFileReader;
  /** Job registry and event target for upload jobs; in memory (or Redis with LAKEQL_REDIS_URL) unless given. */
  transfers?: TransferDeps;
  /** Counts S3 requests below the SDK's retries, and a directory store's calls. */
  onS3Request?: (event: S3RequestEvent) => void;
  onStoreCall?: CountingStoreOptions['onCall'];
  /** The clock catalog ages are measured with (ms); tests pass one they move by hand. */
  catalogClock?: () => number;
  /** Tests: tracing on, every span exported here at once, whatever OTEL_* says (src/services/tracing.ts). */
  traceExporter?: SpanExporter;
}

export interface BuiltServices {
  services: Services;
  /** Releases what start-up opened, Redis last (jobs' final snapshots are published through it). */
  closeStore(): void;
  closeRedis(): Promise<void>;
}

export async function buildServices(config: Config, deps: ServiceDeps = {}): Promise<BuiltServices> {
  const log = deps.log ?? (() => {});
  const opened = deps.store
    ? {
        store: deps.store,
        location: deps.location ?? ({ kind: 'local', directory: '(given store)' } as LakeLocation),
        close: () => {},
      }
    : await openStore(config.lake, {
        s3: { onRequest: deps.onS3Request },
        createDirectory: !config.lakeExplicit || config.demo === 'always',
      });
  // S3 requests are counted below the SDK's retries (onRequest); a directory has no requests, so count its calls.
  const rawStore =
    !deps.store && opened.location.kind === 'local' && deps.onStoreCall
      ? new CountingStore(opened.store, { onCall: deps.onStoreCall })
      : opened.store;
  const location = opened.location;
  const lakeVersion = new LakeVersionCounter();
  const catalog = new CatalogIndex(rawStore, {
    maxAgeMs: config.catalogMaxAge * 1000,
    now: deps.catalogClock,
    onChange: () => lakeVersion.bump(),
    log,
  });
  let sync: CatalogSync | undefined;
  const apply = (key: string, entry: WrittenEntry) => {
    if (entry === 'unknown') catalog.invalidate();
    else catalog.note({ key, entry });
  };
  // Every write through lakeql lands in the index before its promise settles, and is told to the other instances.
  const written = async (key: string, entry: WrittenEntry) => {
    apply(key, entry);
    await sync?.publish(key, entry);
  };
  const store = new WatchedStore(rawStore, written);
  // LAKEQL_REDIS_URL: job state, events and cancels shared with other instances (tests may pass their own deps instead).
  let redis: RedisTransfers | undefined;
  try {
    redis =
      config.redisUrl && !deps.transfers
        ? await connectRedis(config.redisUrl, {
            retainJobs: config.transfers.retainJobs,
            prefix: config.redisPrefix,
            leaseMs: config.transfers.leaseMs,
            finishedTtlMs: config.transfers.finishedJobTtlSeconds * 1000,
            workers: config.transfers.workers,
          })
        : undefined;
  } catch (error) {
    opened.close();
    throw error;
  }
  let journal: JobJournal | undefined;
  try {
    journal =
      redis || deps.transfers?.registry
        ? undefined
        : await openJournal(config.transfers.stateDir, deps.store ? undefined : opened.location, log);
    sync = config.redisUrl
      ? await connectCatalogSync(config.redisUrl, catalogChannel(location), apply, log)
      : undefined;
  } catch (error) {
    opened.close();
    await journal?.close();
    await redis?.close();
    throw error;
  }
  const transfers = createTransferServices(store, config.transfers, {
    urlSecret: config.urlSecret,
    log,
    journal,
    ...redis?.deps,
    ...deps.transfers,
  });
  // lib-storage uploads go around the store: the uploader is built on the unwatched one (so S3 keeps lib-storage) and watched itself.
  transfers.engine.uploader = watchUploader(uploaderFor(rawStore, transfers.ownUploads), rawStore, written);
  await redis?.listen(transfers);
  // Last, once nothing above can fail: the provider is process-wide and app.stop() is what unregisters it.
  // A tracing set-up that fails (a malformed OTEL_* value the SDK refuses) is reported, not fatal: serving matters more.
  const tracing = await startTracing(process.env, { exporter: deps.traceExporter, log }).catch((error: Error) => {
    log(`tracing: could not start, serving without it: ${error.message}`);
    return undefined;
  });
  const services: Services = {
    config,
    store,
    location,
    presigner: isPresigner(store) ? store : undefined,
    urlSigner: new UrlSigner(config.urlSecret),
    bars: deps.bars ?? new BarFileReader(store, { cacheBytes: config.barsCacheBytes }),
    transfers,
    reference: new ReferenceData(store),
    ...(redis ? { redis: redis.client } : {}),
    catalog,
    lakeVersion,
    fundamentals: new FundamentalsCache(store, config.fundamentalsCacheBytes),
    noteWritten: (key) => reportWrite(rawStore, key, written),
    ...(tracing ? { tracing } : {}),
  };
  return {
    services,
    closeStore: () => opened.close(),
    closeRedis: async () => {
      await sync?.close();
      await redis?.close();
    },
  };
}
