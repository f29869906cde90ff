// What every resolver receives: the lake's services (shared) and this request's loaders (fresh each request).
import type { Config } from '../config.js';
import type { ObjectStore, Presigner } from '../lake/store/types.js';
import type { LakeLocation } from '../lake/store/open.js';
import type { UrlSigner } from '../lake/url-signer.js';
import type { BarFileReader } from '../lake/bars/reader.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { TransferServices } from './transfer-services.js';

/** Long-lived parts built once by buildApp. Later features add their services here. */
export interface Services {
  config: Config;
  store: ObjectStore;
  location: LakeLocation;
  /** Present when the store can presign (S3); otherwise lakeql signs its own /files URLs. */
  presigner?: Presigner;
  urlSigner: UrlSigner;
  /** Reads bar files through the footer and decoded-file caches (keyed by key + ETag). */
  bars: BarFileReader;
  /** Upload and download jobs, their progress events, and single-object writes (issue 4). */
  transfers?: TransferServices;
}

export interface Context {
  services: Services;
  loaders: Loaders;
  /** Origin for URLs lakeql serves itself: LAKEQL_PUBLIC_URL or the request's own. */
  origin: string;
}

export function createContext(services: Services, request: Request): Context {
  return {
    services,
    loaders: createLoaders(services.store),
    origin: services.config.publicUrl ?? new URL(request.url).origin,
  };
}
