// The composition root: every long-lived service (store, bar reader, signers, transfers, Redis wiring) is built here, once.
import type { Config } from '../config.js';
import { BarFileReader } from '../lake/bars/reader.js';
import { LakeVersionCounter, type LakeVersion } from '../lake/lake-version.js';
import { bumpOnWrite } from '../lake/store/bump-on-write.js';
import { CountingStore, type CountingStoreOptions } from '../lake/store/counting.js';
import { openStore, type LakeLocation } from '../lake/store/open.js';
import type { S3RequestEvent } from '../lake/store/s3-observe.js';
import { isPresigner, type ObjectStore, type Presigner } from '../lake/store/types.js';
import { UrlSigner } from '../lake/url-signer.js';
import { connectRedis, type RedisTransfers } from './redis.js';
import { createTransferServices, type TransferDeps, type TransferServices } from './transfers.js';

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
  /** Changes whenever the lake may have changed; HTTP ETags and the response cache are keyed by it. */
  lakeVersion: LakeVersion;
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
    ? { store: deps.store, location: deps.location ?? ({ kind: 'local', directory: '(given store)' } as LakeLocation), close: () => {} }
    : await openStore(config.lake, { s3: { onRequest: deps.onS3Request } });
  // S3 requests are counted below the SDK's retries (onRequest); a directory has no requests, so count its calls.
  const lakeVersion = new LakeVersionCounter();
  const counted =
    !deps.store && opened.location.kind === 'local' && deps.onStoreCall ? new CountingStore(opened.store, { onCall: deps.onStoreCall }) : opened.store;
  // lakeql's own writes change the version at once; the catalog index bumps it for other writers' changes.
  const store = bumpOnWrite(counted, lakeVersion);
  // LAKEQL_REDIS_URL: job state, events and cancels shared with other instances (tests may pass their own deps instead).
  let redis: RedisTransfers | undefined;
  try {
    redis = config.redisUrl && !deps.transfers ? await connectRedis(config.redisUrl, { retainJobs: config.transfers.retainJobs }) : undefined;
  } catch (error) {
    opened.close();
    throw error;
  }
  const transfers = createTransferServices(store, config.transfers, { urlSecret: config.urlSecret, log, ...redis?.deps, ...deps.transfers });
  await redis?.listen(transfers);
  const services: Services = {
    config,
    store,
    location: opened.location,
    presigner: isPresigner(store) ? store : undefined,
    urlSigner: new UrlSigner(config.urlSecret),
    bars: deps.bars ?? new BarFileReader(store, { cacheBytes: config.barsCacheBytes }),
    transfers,
    lakeVersion,
  };
  return { services, closeStore: () => opened.close(), closeRedis: async () => redis?.close() };
}
