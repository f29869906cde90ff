// What every resolver receives: the lake's services (shared) and this request's loaders (fresh each request).
import type { Services } from '../services/services.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface Context {
  services: Services;
  loaders: Loaders;
  /** Origin for URLs lakeql serves itself: LAKEQL_PUBLIC_URL or the request's own. */
  origin: string;
}

export function createContext(services: Services, request: Request): Context {
  return {
    services,
    loaders: createLoaders(services.store, { catalog: services.catalog, fundamentals: services.fundamentals }),
    origin: services.config.publicUrl ?? new URL(request.url).origin,
  };
}
