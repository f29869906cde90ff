// Every LAKEQL_* setting, parsed and validated in one place; a bad value stops start-up naming the variable.
import { parseApiKeys } from './auth/api-keys.js';
import { isAuthConfigured, type AuthConfig } from './auth/authenticator.js';
import { parseRateLimit, type RateLimit } from './http/rate-limit.js';
import { editDistance } from './edit-distance.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';
import { parseLakeLocation } from './lake/store/open.js';

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  /** `s3://bucket/prefix`, `file:///abs/dir` or a directory path. */
  lake: string;
  host: string;
  port: number;
  /** `auto`: fill the default ./lake with the demo data when it holds none; `always`: any empty directory lake; `never`. */
  demo: 'auto' | 'always' | 'never';
  /** LAKEQL_LAKE was given: a directory lake must then exist already (unless LAKEQL_DEMO=always). */
  lakeExplicit: boolean;
  /** Problems worth a warning that do not stop start-up (unknown LAKEQL_* variables). */
  warnings: string[];
  /** Largest `first` any connection accepts. */
  maxPageSize: number;
  /** Longest validity of a download URL, seconds (S3 allows at most 7 days). */
  maxUrlExpiry: number;
  /** Bytes of decoded Parquet bars kept in memory, keyed by key + ETag. */
  barsCacheBytes: number;
  /** Oldest catalog answer allowed, seconds (0 lists the lake on every query); also the `max-age` of cacheable GET answers. */
  catalogMaxAge: number;
  /** Bytes of parsed fundamentals JSON kept in memory, keyed by key + ETag. */
  fundamentalsCacheBytes: number;
  /** Secret signing the directory backend's download URLs; random per process when unset. */
  urlSecret?: string;
  /** Origin that download URLs point at when lakeql sits behind a proxy, e.g. https://lake.example.com. */
  publicUrl?: string;
  /** API keys (hashed) and JWT verification; with neither, every caller is anonymous. */
  auth: AuthConfig;
  /** Serve a non-loopback address without auth (LAKEQL_ALLOW_ANONYMOUS=true). */
  allowAnonymous: boolean;
  limits: Limits;
  /** Shared job state and progress events for several instances (LAKEQL_REDIS_URL); one instance alone without it. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel lakeql uses (LAKEQL_REDIS_PREFIX), so several lakes can share one Redis. */
  redisPrefix: string;
  /** Longest SIGTERM/SIGINT may take from signal to exit (LAKEQL_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** pino level for the JSON logs on stdout. */
  logLevel: LogLevel;
  /** Upload and download jobs. */
  transfers: TransferConfig;
  /** JSON file of document id → GraphQL document; when set, only those (and the console's own) are executed. */
  trustedDocuments?: string;
}

/** Roots the server may read and write for jobs, and how hard jobs may push. */
export interface TransferConfig {
  /** Backfill sources must lie below it; unset disables startBackfill. */
  uploadRoot?: string;
  /** Download destinations must lie below it; unset disables startDownload. */
  downloadRoot?: string;
  /** Files in flight per job when the mutation does not say. */
  concurrency: number;
  partSize: number;
  queueSize: number;
  /** Bytes all running transfers may hold in memory together. */
  memoryBytes: number;
  /** Attempts per file, the first included. */
  attempts: number;
  maxRunningJobs: number;
  /** Own multipart uploads older than this (seconds) are aborted at start-up. */
  staleUploadSeconds: number;
  /** Finished jobs kept for job(id) and jobs(). */
  retainJobs: number;
  /** How long an UPLOAD job from createUploadJob waits for its uploadTickFile before it fails (seconds). */
  uploadJobTimeoutSeconds: number;
  /** Where backfills and downloads are journaled without Redis (LAKEQL_STATE_DIR); undefined = the default place, 'off' = not journaled. */
  stateDir?: string;
  /** With Redis: an instance whose heartbeat is older than this is taken for dead and its jobs ended (LAKEQL_JOB_LEASE_MS). */
  leaseMs: number;
  /** With Redis: seconds a finished job's keys live (LAKEQL_JOB_TTL); 0 keeps them until evicted by LAKEQL_JOB_RETENTION. */
  finishedJobTtlSeconds: number;
  /** With Redis: queue items (batches of files) this instance's workers run at once (LAKEQL_WORKERS); 0 = API only. */
  workers: number;
}

/** What one request may cost; each is documented in SETTINGS and tested at its value and one above. */
export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  maxBodyBytes: number;
  /** A multipart upload's files together; the request may exceed it by MULTIPART_OVERHEAD_BYTES. */
  maxUploadBytes: number;
  requestTimeoutMs: number;
  /** Open graphql-ws connections per API key / JWT subject, or per client address when anonymous. */
  maxWsConnections: number;
  /** Per API key / JWT subject, or per client address when anonymous; null when off. */
  rateLimit: RateLimit | null;
}

/** One row per setting: the README's configuration table is written from the same facts. */
export const SETTINGS = {
  LAKEQL_LAKE: { default: './lake', doc: 'Where the lake is: s3://bucket/optional/prefix, file:///abs/dir, or a directory path. A directory given here must exist (only the default ./lake is created, or any with LAKEQL_DEMO=always); an S3 bucket must exist and accept the credentials, or start-up stops.' },
  LAKEQL_HOST: { default: '127.0.0.1', doc: 'Address to listen on.' },
  LAKEQL_PORT: { default: '4000', doc: 'Port to listen on (0 picks a free one).' },
  LAKEQL_DEMO: { default: 'auto', doc: '`auto` creates the default ./lake and fills it with the demo data when it holds none (never a LAKEQL_LAKE you set); `always` does so for any directory lake, creating it if missing; `never` leaves every lake as it is. S3 lakes never get demo data.' },
  LAKEQL_MAX_PAGE_SIZE: { default: '500', doc: 'Largest `first` a connection accepts (100 to 10000); more is a BAD_USER_INPUT error.' },
  LAKEQL_MAX_URL_EXPIRY: { default: '604800', doc: 'Longest `expiresIn` of a download URL, in seconds (S3 caps presigned URLs at 7 days).' },
  LAKEQL_BARS_CACHE_BYTES: { default: '268435456', doc: 'Memory for decoded Parquet files (256 MiB ≈ 4 M bars), keyed by key + ETag so an overwritten file is never served stale; 0 turns the cache off.' },
  LAKEQL_CATALOG_MAX_AGE: { default: '30', doc: 'Seconds a catalog answer (symbols, years, files, ETags) may lag writes made by other tools; writes through lakeql show at once. Refreshed in the background past half of it; `0` lists the lake on every query. Also the `Cache-Control: max-age` of read-only GET answers. See "Catalog index" and "HTTP caching".' },
  LAKEQL_FUNDAMENTALS_CACHE_BYTES: { default: '33554432', doc: 'Memory for parsed fundamentals JSON (32 MiB ≈ 10,000 quarterly files), keyed by key + ETag; `0` reads every file on every request.' },
  LAKEQL_URL_SECRET: { default: '(random per process)', doc: 'HMAC secret for the directory backend\'s download URLs; set it to keep URLs valid across restarts and instances.' },
  LAKEQL_PUBLIC_URL: { default: '(the request\'s origin)', doc: 'Origin used in download URLs when lakeql sits behind a proxy.' },
  LAKEQL_API_KEYS: { default: '(none)', doc: 'API keys as `name:key:scopes`, comma-separated; scopes `read`, `write` or `read+write`; keys ≥ 16 characters of A–Z a–z 0–9 _ -. Sent as `Authorization: Bearer <key>` or `X-API-Key`.' },
  LAKEQL_JWT_SECRET: { default: '(none)', doc: 'Shared secret verifying bearer JWTs (HS256/384/512). Scopes come from the `scope` or `scp` claim; `exp` is required.' },
  LAKEQL_JWT_JWKS_URL: { default: '(none)', doc: 'JWKS URL verifying bearer JWTs (RS*, PS*, ES*, EdDSA); instead of LAKEQL_JWT_SECRET.' },
  LAKEQL_JWT_ISSUER: { default: '(not checked)', doc: 'Required `iss` of bearer JWTs.' },
  LAKEQL_JWT_AUDIENCE: { default: '(not checked)', doc: 'Required `aud` of bearer JWTs.' },
  LAKEQL_ALLOW_ANONYMOUS: { default: 'false', doc: '`true` lets lakeql listen on a non-loopback LAKEQL_HOST with no auth configured (otherwise it refuses to start).' },
  LAKEQL_MAX_DEPTH: { default: '10', doc: 'Deepest field nesting of an operation (graphql-armor); deeper is QUERY_LIMIT_EXCEEDED.' },
  LAKEQL_MAX_ALIASES: { default: '15', doc: 'Most aliases in an operation (graphql-armor).' },
  LAKEQL_MAX_DIRECTIVES: { default: '50', doc: 'Most directives in an operation (graphql-armor).' },
  LAKEQL_MAX_TOKENS: { default: '2000', doc: 'Most lexical tokens in a document (graphql-armor); checked while parsing.' },
  LAKEQL_MAX_COST: { default: '200000', doc: 'Highest estimated cost of an operation: fields × page sizes (`first`, from literals, variables or defaults); unpaged lists count 10.' },
  LAKEQL_MAX_BODY_BYTES: { default: '4194304', doc: 'Largest request body in bytes other than a multipart upload; more is HTTP 413.' },
  LAKEQL_MAX_UPLOAD_BYTES: { default: '1073741824', doc: 'Largest multipart upload (uploadTickFile) in bytes, plus 4 MiB for its operations and map fields; more is HTTP 413. Signed PUT URLs are bounded by their own contentLength instead.' },
  LAKEQL_MAX_WS_CONNECTIONS: { default: '32', doc: 'Most open graphql-ws connections per API key / JWT subject (per client address when auth is off); one more is closed with 4429.' },
  LAKEQL_REQUEST_TIMEOUT_MS: { default: '30000', doc: 'Longest a query or mutation may run before it is answered with a TIMEOUT error (HTTP 504); subscriptions are exempt, and a multipart request does not count the time its upload bytes flow to a resolver.' },
  LAKEQL_UPLOAD_ROOT: { default: '(none: backfills off)', doc: 'Directory whose subdirectories startBackfill may upload; no path may leave it, symbolic links included.' },
  LAKEQL_DOWNLOAD_ROOT: { default: '(none: downloads off)', doc: 'Directory below which startDownload may write; no path may leave it, symbolic links included.' },
  LAKEQL_JOB_CONCURRENCY: { default: '16', doc: 'Files in flight per job when startBackfill/startDownload give no `concurrency` (1 to 64).' },
  LAKEQL_PART_SIZE: { default: '8388608', doc: 'Multipart part size in bytes (5 MiB to 5 GiB); files up to this size go in one request.' },
  LAKEQL_PART_QUEUE: { default: '4', doc: 'Parts in flight per large file; one file holds at most (queue + 1) × part size bytes.' },
  LAKEQL_TRANSFER_MEMORY: { default: '268435456', doc: 'Bytes all running transfers together may hold in memory; a file waits for its share before it starts.' },
  LAKEQL_JOB_ATTEMPTS: { default: '5', doc: 'Attempts per file for transient failures (503 SlowDown, 5xx, resets, timeouts), with decorrelated-jitter backoff.' },
  LAKEQL_MAX_RUNNING_JOBS: { default: '2', doc: 'Backfills and downloads running at once; more wait QUEUED. UPLOAD jobs run as their file arrives, outside this count.' },
  LAKEQL_STALE_UPLOAD_AGE: { default: '86400', doc: 'Seconds after which lakeql\'s own unfinished multipart uploads (left by a crash) are aborted at start-up.' },
  LAKEQL_JOB_RETENTION: { default: '1000', doc: 'Finished jobs kept in memory for job(id) and jobs().' },
  LAKEQL_UPLOAD_JOB_TIMEOUT: { default: '600', doc: 'Seconds an UPLOAD job from createUploadJob waits for the uploadTickFile that streams into it (1 to 86400); then it fails with a message saying so.' },
  LAKEQL_STATE_DIR: { default: '(directory lake: <lake>/.lakeql/jobs; otherwise ./.lakeql)', doc: 'Without Redis: where backfills and downloads are journaled (LevelDB), so after a crash or `kill -9` a restart resumes them: stored files are not sent again, cut-off files continue at the part (uploads) or byte (downloads). `off` turns journaling off. Set explicitly, a directory another process holds stops start-up; the default one is then skipped with a warning.' },
  LAKEQL_JOB_LEASE_MS: { default: '30000', doc: 'With Redis: each instance renews a heartbeat key with this TTL (every third of it); when an instance stops renewing (killed, cut off), another one declares it dead within about 1⅓ × this, ends its unfinished jobs FAILED with a message saying why (subscribers receive it), and aborts the multipart uploads it left, whatever their age. `cancelJob` of such a job answers at once.' },
  LAKEQL_WORKERS: { default: '2', doc: 'With Redis: work items (batches of up to 25 files, or one large file) this instance\'s BullMQ workers run at once, each with the job\'s `concurrency` files in flight; 0 runs no workers (the instance queues, cancels and answers, other instances run the work). Without Redis, ignored (LAKEQL_MAX_RUNNING_JOBS applies).' },
  LAKEQL_JOB_TTL: { default: '604800', doc: 'With Redis: seconds a finished job\'s keys live (the job, its transitions); 0 keeps them until LAKEQL_JOB_RETENTION evicts them.' },
  LAKEQL_REDIS_PREFIX: { default: 'lakeql:', doc: 'Prefix of every Redis key and channel lakeql uses, so several lakes (or test runs) can share one Redis.' },
  LAKEQL_REDIS_URL: { default: '(none: one instance)', doc: 'redis://[user:password@]host:port[/db] (or rediss://): job state, progress events and cancel requests go through Redis, so any instance can query, follow and cancel any job.' },
  LAKEQL_SHUTDOWN_TIMEOUT_MS: { default: '10000', doc: 'Bound on a graceful stop (SIGTERM/SIGINT): new requests get 503, running jobs are cancelled (multipart uploads aborted, subscribers sent the final state), in-flight requests finish; whatever remains then is cut and the process exits.' },
  LAKEQL_RATE_LIMIT: { default: '1200/60s', doc: 'Requests per window per API key or JWT subject (per client address when anonymous), as `n/<window>` with ms, s, m or h, or `off`; more is HTTP 429 with Retry-After.' },
  LAKEQL_TRUSTED_DOCUMENTS: { default: '(none: any document)', doc: 'JSON file `{ "<id>": "<GraphQL document>", … }`; when set, only these documents (sent by id) and the console\'s own are executed, anything else is PERSISTED_QUERY_ONLY or PERSISTED_QUERY_NOT_FOUND (HTTP 400/404).' },
  LAKEQL_LOG_LEVEL: { default: 'info', doc: 'Level of the JSON log lines on stdout: `fatal`, `error`, `warn`, `info` (one line per request), `debug` (adds /health, /ready and /metrics requests), `trace` or `silent`.' },
  LAKEQL_URL: { default: 'http://127.0.0.1:4000', doc: 'CLI only: the gateway `lakeql ls`, `backfill` and `download` talk to (`--url` overrides).' },
  LAKEQL_API_KEY: { default: '(none)', doc: 'CLI only: the API key those commands send (`--api-key` overrides); never printed.' },
} as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (name: keyof typeof SETTINGS): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const demo = read('LAKEQL_DEMO') ?? 'auto';
  if (demo !== 'auto' && demo !== 'always' && demo !== 'never') throw new ConfigError('LAKEQL_DEMO', `expected "auto", "always" or "never", got "${demo}"`);
  const publicUrl = read('LAKEQL_PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+$/.test(publicUrl.replace(/\/$/, ''))) {
    throw new ConfigError('LAKEQL_PUBLIC_URL', `expected an origin like https://lake.example.com, got "${publicUrl}"`);
  }
  const lake = read('LAKEQL_LAKE') ?? SETTINGS.LAKEQL_LAKE.default;
  try {
    parseLakeLocation(lake);
  } catch (error) {
    // parseLakeLocation's messages already start with the variable's name.
    throw new ConfigError('LAKEQL_LAKE', (error as Error).message.replace(/^LAKEQL_LAKE: /, ''));
  }
  const auth = loadAuth(read);
  const allowAnonymous = flag(read('LAKEQL_ALLOW_ANONYMOUS'), 'LAKEQL_ALLOW_ANONYMOUS');
  const listenOn = read('LAKEQL_HOST') ?? SETTINGS.LAKEQL_HOST.default;
  if (!isAuthConfigured(auth) && !allowAnonymous && !isLoopback(listenOn)) {
    throw new ConfigError('LAKEQL_HOST', `${listenOn} is reachable from other machines but no authentication is configured: set LAKEQL_API_KEYS, LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL, or LAKEQL_ALLOW_ANONYMOUS=true to serve without it`);
  }
  let rateLimit: RateLimit | null;
  try {
    rateLimit = parseRateLimit(read('LAKEQL_RATE_LIMIT') ?? SETTINGS.LAKEQL_RATE_LIMIT.default);
  } catch (error) {
    throw new ConfigError('LAKEQL_RATE_LIMIT', (error as Error).message);
  }
  const limits: Limits = {
    maxDepth: integer(read('LAKEQL_MAX_DEPTH'), 'LAKEQL_MAX_DEPTH', 10, 1, 1000),
    maxAliases: integer(read('LAKEQL_MAX_ALIASES'), 'LAKEQL_MAX_ALIASES', 15, 0, 10_000),
    maxDirectives: integer(read('LAKEQL_MAX_DIRECTIVES'), 'LAKEQL_MAX_DIRECTIVES', 50, 0, 10_000),
    maxTokens: integer(read('LAKEQL_MAX_TOKENS'), 'LAKEQL_MAX_TOKENS', 2000, 10, 1_000_000),
    maxCost: integer(read('LAKEQL_MAX_COST'), 'LAKEQL_MAX_COST', 200_000, 1, 1_000_000_000),
    maxBodyBytes: integer(read('LAKEQL_MAX_BODY_BYTES'), 'LAKEQL_MAX_BODY_BYTES', 4_194_304, 1024, 1_073_741_824),
    maxUploadBytes: integer(read('LAKEQL_MAX_UPLOAD_BYTES'), 'LAKEQL_MAX_UPLOAD_BYTES', 1_073_741_824, 1024, 5 * 1024 ** 4),
    requestTimeoutMs: integer(read('LAKEQL_REQUEST_TIMEOUT_MS'), 'LAKEQL_REQUEST_TIMEOUT_MS', 30_000, 1, 3_600_000),
    maxWsConnections: integer(read('LAKEQL_MAX_WS_CONNECTIONS'), 'LAKEQL_MAX_WS_CONNECTIONS', 32, 1, 100_000),
    rateLimit,
  };
  return {
    lake,
    lakeExplicit: read('LAKEQL_LAKE') !== undefined,
    warnings: unknownVariables(env),
    host: read('LAKEQL_HOST') ?? SETTINGS.LAKEQL_HOST.default,
    port: integer(read('LAKEQL_PORT'), 'LAKEQL_PORT', 4000, 0, 65535),
    demo,
    // Never below the default `first` (100), or a query that leaves `first` out would be refused.
    maxPageSize: integer(read('LAKEQL_MAX_PAGE_SIZE'), 'LAKEQL_MAX_PAGE_SIZE', 500, 100, 10_000),
    maxUrlExpiry: integer(read('LAKEQL_MAX_URL_EXPIRY'), 'LAKEQL_MAX_URL_EXPIRY', 604_800, 1, 604_800),
    barsCacheBytes: integer(read('LAKEQL_BARS_CACHE_BYTES'), 'LAKEQL_BARS_CACHE_BYTES', 268_435_456, 0, Number.MAX_SAFE_INTEGER),
    catalogMaxAge: integer(read('LAKEQL_CATALOG_MAX_AGE'), 'LAKEQL_CATALOG_MAX_AGE', 30, 0, 86_400),
    fundamentalsCacheBytes: integer(read('LAKEQL_FUNDAMENTALS_CACHE_BYTES'), 'LAKEQL_FUNDAMENTALS_CACHE_BYTES', 33_554_432, 0, Number.MAX_SAFE_INTEGER),
    urlSecret: read('LAKEQL_URL_SECRET'),
    publicUrl: publicUrl?.replace(/\/$/, ''),
    auth,
    allowAnonymous,
    limits,
    redisUrl: redisUrl(read('LAKEQL_REDIS_URL')),
    redisPrefix: redisPrefix(read('LAKEQL_REDIS_PREFIX')),
    shutdownTimeoutMs: integer(read('LAKEQL_SHUTDOWN_TIMEOUT_MS'), 'LAKEQL_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    transfers: loadTransfers(read),
    logLevel: logLevel(read('LAKEQL_LOG_LEVEL')),
    trustedDocuments: read('LAKEQL_TRUSTED_DOCUMENTS'),
  };
}

function loadTransfers(read: (name: keyof typeof SETTINGS) => string | undefined): TransferConfig {
  const MiB = 1024 * 1024;
  return {
    uploadRoot: read('LAKEQL_UPLOAD_ROOT'),
    downloadRoot: read('LAKEQL_DOWNLOAD_ROOT'),
    concurrency: integer(read('LAKEQL_JOB_CONCURRENCY'), 'LAKEQL_JOB_CONCURRENCY', 16, 1, 64),
    partSize: integer(read('LAKEQL_PART_SIZE'), 'LAKEQL_PART_SIZE', 8 * MiB, 5 * MiB, 5 * 1024 * MiB),
    queueSize: integer(read('LAKEQL_PART_QUEUE'), 'LAKEQL_PART_QUEUE', 4, 1, 64),
    memoryBytes: integer(read('LAKEQL_TRANSFER_MEMORY'), 'LAKEQL_TRANSFER_MEMORY', 256 * MiB, 16 * MiB, 64 * 1024 * MiB),
    attempts: integer(read('LAKEQL_JOB_ATTEMPTS'), 'LAKEQL_JOB_ATTEMPTS', 5, 1, 20),
    maxRunningJobs: integer(read('LAKEQL_MAX_RUNNING_JOBS'), 'LAKEQL_MAX_RUNNING_JOBS', 2, 1, 100),
    staleUploadSeconds: integer(read('LAKEQL_STALE_UPLOAD_AGE'), 'LAKEQL_STALE_UPLOAD_AGE', 86_400, 60, 365 * 86_400),
    retainJobs: integer(read('LAKEQL_JOB_RETENTION'), 'LAKEQL_JOB_RETENTION', 1000, 1, 1_000_000),
    uploadJobTimeoutSeconds: integer(read('LAKEQL_UPLOAD_JOB_TIMEOUT'), 'LAKEQL_UPLOAD_JOB_TIMEOUT', 600, 1, 86_400),
    stateDir: read('LAKEQL_STATE_DIR'),
    leaseMs: integer(read('LAKEQL_JOB_LEASE_MS'), 'LAKEQL_JOB_LEASE_MS', 30_000, 300, 600_000),
    finishedJobTtlSeconds: integer(read('LAKEQL_JOB_TTL'), 'LAKEQL_JOB_TTL', 604_800, 0, 365 * 86_400),
    workers: integer(read('LAKEQL_WORKERS'), 'LAKEQL_WORKERS', 2, 0, 64),
  };
}

/** API keys are hashed as they are read; error messages name entries, never keys. */
function loadAuth(read: (name: keyof typeof SETTINGS) => string | undefined): AuthConfig {
  let apiKeys;
  try {
    apiKeys = parseApiKeys(read('LAKEQL_API_KEYS'));
  } catch (error) {
    throw new ConfigError('LAKEQL_API_KEYS', (error as Error).message);
  }
  const secret = read('LAKEQL_JWT_SECRET');
  const jwksUrl = read('LAKEQL_JWT_JWKS_URL');
  const issuer = read('LAKEQL_JWT_ISSUER');
  const audience = read('LAKEQL_JWT_AUDIENCE');
  if (secret !== undefined && jwksUrl !== undefined) throw new ConfigError('LAKEQL_JWT_SECRET', 'set either LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL, not both');
  // HS256 wants at least as many secret bytes as its output: 32.
  if (secret !== undefined && Buffer.byteLength(secret) < 32) throw new ConfigError('LAKEQL_JWT_SECRET', 'must be at least 32 bytes');
  if (jwksUrl !== undefined && !/^https?:\/\/\S+$/.test(jwksUrl)) throw new ConfigError('LAKEQL_JWT_JWKS_URL', `expected an http(s) URL, got "${jwksUrl}"`);
  if ((issuer !== undefined || audience !== undefined) && secret === undefined && jwksUrl === undefined) {
    throw new ConfigError(issuer !== undefined ? 'LAKEQL_JWT_ISSUER' : 'LAKEQL_JWT_AUDIENCE', 'needs LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL');
  }
  return { apiKeys, jwt: secret !== undefined || jwksUrl !== undefined ? { secret, jwksUrl, issuer, audience } : undefined };
}

/** 127.0.0.0/8, ::1 and localhost only reach this machine; anything else (0.0.0.0, ::, a LAN address) may not. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** Names the test suite reads (LAKEQL_TEST_REDIS_URL, …); never settings of the gateway. */
const RESERVED_PREFIX = 'LAKEQL_TEST_';

/**
 * A misspelt setting is otherwise silently ignored and its default used: every LAKEQL_* variable
 * that is not a setting gets a warning naming the closest one (by edit distance) when it is close.
 */
export function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const known = Object.keys(SETTINGS);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('LAKEQL_') || name.startsWith(RESERVED_PREFIX) || known.includes(name)) continue;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
      const d = editDistance(name, candidate);
      if (d < bestDistance) { best = candidate; bestDistance = d; }
    }
    // Close means at most a third of the name differs (LAKEQL_PROT → LAKEQL_PORT is 2 of 11).
    const hint = best && bestDistance <= Math.max(2, Math.floor((name.length - 'LAKEQL_'.length) / 3)) ? `; did you mean ${best}?` : '';
    warnings.push(`${name} is not a lakeql setting and is ignored${hint}`);
  }
  return warnings;
}

function logLevel(value: string | undefined): LogLevel {
  const level = value?.toLowerCase() ?? 'info';
  if (!isLogLevel(level)) throw new ConfigError('LAKEQL_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

function redisUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !/^rediss?:\/\/[^\s/]+(\/\d+)?\/?$/.test(value)) {
    throw new ConfigError('LAKEQL_REDIS_URL', 'expected redis://[user:password@]host:port[/db] or rediss://…');
  }
  return value;
}

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || /^(false|0|no)$/i.test(value)) return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  throw new ConfigError(name, `expected true or false, got "${value}"`);
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `expected ${min} to ${max}, got ${n}`);
  return n;
}

function redisPrefix(value: string | undefined): string {
  if (value === undefined) return 'lakeql:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(value)) throw new ConfigError('LAKEQL_REDIS_PREFIX', `expected 1–64 of A–Z a–z 0–9 : _ . -, got "${value}"`);
  return value;
}
