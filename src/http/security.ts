// The gateway's protective plugins in the order they must run, built from Config: auth, body size, CSRF, armor, cost, timeout.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { createAuthenticator, type Authenticator } from '../auth/authenticator.js';
import type { JwtVerifierOptions } from '../auth/jwt.js';
import type { Config } from '../config.js';
import { armorPlugins } from './armor.js';
import { authPlugin } from './auth.js';
import { bodyLimitPlugin, costLimitPlugin, timeoutPlugin, type TimeoutOptions } from './limits.js';
import { RateLimiter } from './rate-limit.js';
import { UPLOADS_PATH } from '../lake/uploads/put-url.js';
import { FILES_PATH } from '../lake/url-signer.js';

/** Test seams: a clock for JWT expiry, a timer for the request timeout, JWT keys. */
export interface SecurityDeps {
  now?: () => number;
  /** An ioredis client (LAKEQL_REDIS_URL): the rate limit is then counted in Redis, shared by every instance. */
  redis?: unknown;
  /** Key prefix of the shared counters; tests give each app its own. */
  rateLimitPrefix?: string;
  setTimer?: TimeoutOptions['setTimer'];
  jwt?: JwtVerifierOptions;
}

/**
 * Browsers send "simple" requests (form posts, multipart, GET) cross-site without a CORS
 * preflight; requiring this header makes every such request preflighted. JSON POSTs need nothing.
 */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** Room for the multipart `operations` and `map` fields (1 MiB each at most) and part headers around the files. */
export const MULTIPART_OVERHEAD_BYTES = 4 * 1_048_576;

/** One authenticator for HTTP and graphql-ws, so both accept exactly the same credentials. */
export function buildAuthenticator(config: Config, deps: SecurityDeps = {}): Authenticator {
  return createAuthenticator(config.auth, { ...deps.jwt, now: deps.jwt?.now ?? deps.now });
}

export function securityPlugins(
  config: Config,
  deps: SecurityDeps = {},
  authenticator: Authenticator = buildAuthenticator(config, deps),
): Plugin[] {
  const { limits } = config;
  return [
    // Authentication first: an unknown caller is turned away before its body is looked at.
    authPlugin({
      authenticator,
      rateLimiter:
        limits.rateLimit && new RateLimiter(limits.rateLimit, { redis: deps.redis, keyPrefix: deps.rateLimitPrefix }),
      signedPaths: [FILES_PATH, UPLOADS_PATH],
    }),
    bodyLimitPlugin({
      maxBodyBytes: limits.maxBodyBytes,
      maxMultipartBytes: limits.maxUploadBytes + MULTIPART_OVERHEAD_BYTES,
      exempt: [UPLOADS_PATH],
    }),
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }) as Plugin,
    ...armorPlugins(limits),
    costLimitPlugin({ maxCost: limits.maxCost, maxPageSize: config.maxPageSize }),
    timeoutPlugin({ timeoutMs: limits.requestTimeoutMs, setTimer: deps.setTimer }),
  ];
}

/** GraphiQL's header editor starts with a template for the key when auth is on (the key itself is never in the page). */
export function graphiqlHeaders(config: Config): { headers?: string; additionalHeaders: Record<string, string> } {
  const on = config.auth.apiKeys.length > 0 || config.auth.jwt !== undefined;
  return {
    ...(on ? { headers: JSON.stringify({ Authorization: 'Bearer <your API key or JWT>' }, null, 2) } : {}),
    additionalHeaders: { [CSRF_HEADER]: '1' },
  };
}
