// Every LAKEQL_* setting, declared once (name, default, description, parser) and read into a Config; a bad value stops start-up naming the variable.
import { parseApiKeys } from './auth/api-keys.js';
import { isAuthConfigured, type AuthConfig } from './auth/authenticator.js';
import {
  ConfigError,
  flag,
  integer,
  matching,
  oneOf,
  readSettings,
  text,
  via,
  type Parse,
  type Setting,
  type SettingValues,
} from './config/parse.js';
import { misspeltVariables } from './config/unknown.js';
import { parseRateLimit, type RateLimit } from './http/rate-limit.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { parseLakeLocation } from './lake/store/open.js';

export { ConfigError } from './config/parse.js';

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
  /** Most tickers one `symbols(tickers:)` or `/v1/bars?symbols=` request may name. */
  maxSymbols: number;
  /** Longest validity of a download URL, seconds (S3 allows at most 7 days). */
  maxUrlExpiry: number;
  /** Bytes of decoded Parquet bars kept in memory, keyed by key + ETag. */
  barsCacheBytes: number;
  /** Oldest catalog answer allowed, seconds (0 lists the lake on every query); also the `max-age` of cacheable GET answers. */
  catalogMaxAge: number;
  /** Bytes of parsed fundamentals JSON kept in memory, keyed by key + ETag. */
  fundamentalsCacheBytes: number;
  /** Answers of read-only operations kept by the response cache; 0 turns it off. */
  responseCacheEntries: number;
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

const MiB = 1024 * 1024;

/** A lake location that parseLakeLocation accepts, kept as written. */
const lake = via((value) => {
  parseLakeLocation(value ?? '');
  return value as string;
});

/** `https://host[:port]` with no path; a trailing slash is dropped. */
const origin: Parse<string | undefined> = (value, name) => {
  const trimmed = value?.replace(/\/$/, '');
  if (trimmed !== undefined && !/^https?:\/\/[^/]+$/.test(trimmed))
    throw new ConfigError(name, `expected an origin like https://lake.example.com, got "${value}"`);
  return trimmed;
};

/** HS256 wants at least as many secret bytes as its output: 32. The secret is never echoed. */
const jwtSecret: Parse<string | undefined> = (value, name) => {
  if (value !== undefined && Buffer.byteLength(value) < 32) throw new ConfigError(name, 'must be at least 32 bytes');
  return value;
};

/**
 * One row per setting: name, default, description and parser. The README's configuration table is
 * generated from it (`npx tsx scripts/settings-table.ts`), and a test keeps the two equal.
 */
export const SETTINGS = {
  LAKEQL_LAKE: {
    default: './lake',
    doc: 'Where the lake is: `s3://bucket/optional/prefix`, `file:///abs/dir`, or a directory path. A directory you name must exist (only the default `./lake` is created, or any with `LAKEQL_DEMO=always`); `s3:/bucket` and other half-URLs are errors, not directory names. An S3 bucket must exist and accept the credentials, or start-up stops.',
    parse: lake,
  },
  LAKEQL_HOST: { default: '127.0.0.1', doc: 'Address to listen on.', parse: text },
  LAKEQL_PORT: { default: '4000', doc: 'Port to listen on (`0` picks a free one).', parse: integer(0, 65535) },
  LAKEQL_DEMO: {
    default: 'auto',
    doc: '`auto` creates the default `./lake` and fills it with the demo data when it holds none, never a `LAKEQL_LAKE` you set; `always` does so for any directory lake (creating it if missing); `never` leaves every lake as it is. S3 lakes never get demo data.',
    parse: oneOf(['auto', 'always', 'never']),
  },
  LAKEQL_MAX_PAGE_SIZE: {
    default: '500',
    doc: 'Largest `first` a connection accepts (100 to 10000); more is a `BAD_USER_INPUT` error.',
    parse: integer(100, 10_000),
  },
  LAKEQL_MAX_SYMBOLS: {
    default: '100',
    doc: 'Most tickers one `symbols(tickers:)` or `/v1/bars?symbols=` request may name (1 to 10000); more is a `BAD_USER_INPUT` error (400 on the export route).',
    parse: integer(1, 10_000),
  },
  LAKEQL_MAX_URL_EXPIRY: {
    default: '604800',
    doc: 'Longest `expiresIn` of a download URL, seconds (S3 caps presigned URLs at 7 days).',
    parse: integer(1, 604_800),
  },
  LAKEQL_BARS_CACHE_BYTES: {
    default: '268435456',
    doc: 'Memory for decoded Parquet files (256 MiB ≈ 4 M bars), keyed by key + ETag so an overwritten file is never served stale; `0` turns the cache off.',
    parse: integer(0, Number.MAX_SAFE_INTEGER),
  },
  LAKEQL_CATALOG_MAX_AGE: {
    default: '30',
    doc: 'Seconds a catalog answer (symbols, years, files, ETags) may lag writes made by other tools; writes through lakeql show at once. Refreshed in the background past half of it; `0` lists the lake on every query. Also the `Cache-Control: max-age` of read-only GET answers. See [Catalog index](#catalog-index) and [HTTP caching](#http-caching).',
    parse: integer(0, 86_400),
  },
  LAKEQL_RESPONSE_CACHE_ENTRIES: {
    default: '1000',
    doc: "Answers of read-only operations kept in memory (least recently used go first), keyed by document, variables, the caller's scopes and the lake version, so any write retires them; `0` turns the response cache off. Off as well when `LAKEQL_CATALOG_MAX_AGE` is 0.",
    parse: integer(0, 1_000_000),
  },
  LAKEQL_FUNDAMENTALS_CACHE_BYTES: {
    default: '33554432',
    doc: 'Memory for parsed fundamentals JSON (32 MiB ≈ 10,000 quarterly files), keyed by key + ETag; `0` reads every file on every request.',
    parse: integer(0, Number.MAX_SAFE_INTEGER),
  },
  LAKEQL_URL_SECRET: {
    default: '(random per process)',
    doc: "HMAC secret for a directory lake's download URLs; set it so URLs survive restarts and work across instances.",
  },
  LAKEQL_PUBLIC_URL: {
    default: "(the request's origin)",
    doc: 'Origin used in download URLs when lakeql sits behind a proxy.',
    parse: origin,
  },
  LAKEQL_API_KEYS: {
    default: '(none)',
    doc: 'API keys as `name:key:scopes`, comma-separated; scopes `read`, `write` or `read+write`; each key ≥ 16 characters of `A–Z a–z 0–9 _ -`. Sent as `Authorization: Bearer <key>` or `X-API-Key`. See [Security](#security).',
    parse: via(parseApiKeys),
  },
  LAKEQL_JWT_SECRET: {
    default: '(none)',
    doc: 'Shared secret (≥ 32 bytes) verifying bearer JWTs signed HS256/384/512. Scopes come from the `scope` or `scp` claim; `exp` is required.',
    parse: jwtSecret,
  },
  LAKEQL_JWT_JWKS_URL: {
    default: '(none)',
    doc: 'JWKS URL verifying bearer JWTs signed RS*, PS*, ES* or EdDSA; instead of `LAKEQL_JWT_SECRET`.',
    parse: matching(/^https?:\/\/\S+$/, 'an http(s) URL'),
  },
  LAKEQL_JWT_ISSUER: { default: '(not checked)', doc: 'Required `iss` of bearer JWTs.' },
  LAKEQL_JWT_AUDIENCE: { default: '(not checked)', doc: 'Required `aud` of bearer JWTs.' },
  LAKEQL_ALLOW_ANONYMOUS: {
    default: 'false',
    doc: '`true` lets lakeql listen on a non-loopback `LAKEQL_HOST` with no auth configured; otherwise it refuses to start.',
    parse: flag,
  },
  LAKEQL_MAX_DEPTH: {
    default: '10',
    doc: 'Deepest field nesting of an operation; deeper is `QUERY_LIMIT_EXCEEDED` (HTTP 400).',
    parse: integer(1, 1000),
  },
  LAKEQL_MAX_ALIASES: { default: '15', doc: 'Most aliases in an operation.', parse: integer(0, 10_000) },
  LAKEQL_MAX_DIRECTIVES: { default: '50', doc: 'Most directives in an operation.', parse: integer(0, 10_000) },
  LAKEQL_MAX_TOKENS: {
    default: '2000',
    doc: "Most lexical tokens in a document, counted while parsing (GraphiQL's introspection query is about 190).",
    parse: integer(10, 1_000_000),
  },
  LAKEQL_MAX_COST: {
    default: '200000',
    doc: 'Highest estimated cost of an operation: fields × page sizes, with `first` (or `last`) read from literals, variables or defaults; lists without paging count 10 items.',
    parse: integer(1, 1_000_000_000),
  },
  LAKEQL_MAX_BODY_BYTES: {
    default: '4194304',
    doc: 'Largest request body (4 MiB) other than a multipart upload; more is HTTP 413 `PAYLOAD_TOO_LARGE`. Also the largest graphql-ws message.',
    parse: integer(1024, 1_073_741_824),
  },
  LAKEQL_MAX_UPLOAD_BYTES: {
    default: '1073741824',
    doc: 'Largest multipart upload (1 GiB), plus 4 MiB for its `operations` and `map` fields; more is HTTP 413. Signed PUT URLs are bounded by their own `contentLength`.',
    parse: integer(1024, 5 * 1024 ** 4),
  },
  LAKEQL_MAX_WS_CONNECTIONS: {
    default: '32',
    doc: 'Most open graphql-ws connections per API key / JWT subject (per client address when auth is off); one more is closed with 4429.',
    parse: integer(1, 100_000),
  },
  LAKEQL_REQUEST_TIMEOUT_MS: {
    default: '30000',
    doc: "Longest a query or mutation may run; then HTTP 504 `TIMEOUT`. Subscriptions are exempt; a multipart request is timed from its first byte, not counting time while an upload's bytes flow to its resolver.",
    parse: integer(1, 3_600_000),
  },
  LAKEQL_UPLOAD_ROOT: {
    default: '(none: backfills off)',
    doc: 'Directory whose subdirectories `startBackfill` may upload; no path may leave it, symbolic links included.',
  },
  LAKEQL_DOWNLOAD_ROOT: {
    default: '(none: downloads off)',
    doc: 'Directory below which `startDownload` may write; no path may leave it, symbolic links included.',
  },
  LAKEQL_JOB_CONCURRENCY: {
    default: '16',
    doc: 'Files in flight per job when the mutation gives no `concurrency` (1 to 64).',
    parse: integer(1, 64),
  },
  LAKEQL_PART_SIZE: {
    default: '8388608',
    doc: 'Multipart part size (5 MiB to 5 GiB); files up to this size go in one request.',
    parse: integer(5 * MiB, 5 * 1024 * MiB),
  },
  LAKEQL_PART_QUEUE: {
    default: '4',
    doc: 'Parts in flight per large file; a file holds at most (queue + 1) × part size in memory.',
    parse: integer(1, 64),
  },
  LAKEQL_TRANSFER_MEMORY: {
    default: '268435456',
    doc: 'Bytes all running transfers together may hold; a file waits for its share before it starts.',
    parse: integer(16 * MiB, 64 * 1024 * MiB),
  },
  LAKEQL_JOB_ATTEMPTS: {
    default: '5',
    doc: 'Attempts per file for transient failures (503 SlowDown, 5xx, resets, timeouts), decorrelated-jitter backoff.',
    parse: integer(1, 20),
  },
  LAKEQL_MAX_RUNNING_JOBS: {
    default: '2',
    doc: 'Backfills and downloads running at once; more wait `QUEUED`. `UPLOAD` jobs run as their file arrives, outside this count.',
    parse: integer(1, 100),
  },
  LAKEQL_STALE_UPLOAD_AGE: {
    default: '86400',
    doc: "Seconds after which lakeql's own unfinished multipart uploads (left by a crash) are aborted at start-up.",
    parse: integer(60, 365 * 86_400),
  },
  LAKEQL_JOB_RETENTION: {
    default: '1000',
    doc: 'Finished jobs kept for `job(id)` and `jobs`.',
    parse: integer(1, 1_000_000),
  },
  LAKEQL_UPLOAD_JOB_TIMEOUT: {
    default: '600',
    doc: 'Seconds an `UPLOAD` job from `createUploadJob` waits for the `uploadTickFile` that streams into it (1 to 86400); then it fails with a message saying so.',
    parse: integer(1, 86_400),
  },
  LAKEQL_STATE_DIR: {
    default: '(directory lake: `<lake>/.lakeql/jobs`; otherwise `./.lakeql`)',
    doc: 'Without Redis: where backfills and downloads are journaled (LevelDB), so after a crash or `kill -9` a restart resumes them: stored files are not sent again, cut-off files continue at the part (uploads) or byte (downloads). `off` turns journaling off. Set explicitly, a directory another process holds stops start-up; the default one is then skipped with a warning.',
  },
  LAKEQL_JOB_LEASE_MS: {
    default: '30000',
    doc: 'With Redis: each instance renews a heartbeat key with this TTL (every third of it); when an instance stops renewing (killed, cut off), another one declares it dead within about 1⅓ × this, ends its unfinished jobs FAILED with a message saying why (subscribers receive it), and aborts the multipart uploads it left, whatever their age. `cancelJob` of such a job answers at once.',
    parse: integer(300, 600_000),
  },
  LAKEQL_WORKERS: {
    default: '2',
    doc: "With Redis: work items (batches of up to 25 files, or one large file) this instance's BullMQ workers run at once, each with the job's `concurrency` files in flight; 0 runs no workers (the instance queues, cancels and answers, other instances run the work). Without Redis, ignored (LAKEQL_MAX_RUNNING_JOBS applies).",
    parse: integer(0, 64),
  },
  LAKEQL_JOB_TTL: {
    default: '604800',
    doc: "With Redis: seconds a finished job's keys live (the job, its transitions); 0 keeps them until `LAKEQL_JOB_RETENTION` evicts them.",
    parse: integer(0, 365 * 86_400),
  },
  LAKEQL_REDIS_PREFIX: {
    default: 'lakeql:',
    doc: 'Prefix of every Redis key and channel lakeql uses, so several lakes (or test runs) can share one Redis.',
    parse: matching(/^[A-Za-z0-9:_.-]{1,64}$/, '1–64 of A–Z a–z 0–9 : _ . -') as Parse<string>,
  },
  LAKEQL_REDIS_URL: {
    default: '(none: one instance)',
    doc: '`redis://[user:password@]host:port[/db]` (or `rediss://`): job state, progress events and cancel requests go through Redis, so any instance can query, follow and cancel any job.',
    parse: matching(/^rediss?:\/\/[^\s/]+(\/\d+)?\/?$/, 'redis://[user:password@]host:port[/db] or rediss://…', {
      secret: true,
    }),
  },
  LAKEQL_SHUTDOWN_TIMEOUT_MS: {
    default: '10000',
    doc: 'Bound on a graceful stop (SIGTERM/SIGINT), from signal to exit: new requests get 503, running jobs are cancelled (multipart uploads aborted, subscribers sent the final state), in-flight requests finish; whatever remains then is cut and the process exits. See [Operations](#operations).',
    parse: integer(100, 600_000),
  },
  LAKEQL_RATE_LIMIT: {
    default: '1200/60s',
    doc: 'Requests per window per API key or JWT subject (per client address when anonymous): `n/<window>` with `ms`, `s`, `m` or `h`, or `off`. More is HTTP 429 `RATE_LIMITED` with `Retry-After`. Counted in fixed windows of that length, in memory for one instance or in Redis with `LAKEQL_REDIS_URL`, shared by every instance.',
    parse: via((value) => parseRateLimit(value as string)),
  },
  LAKEQL_TRUSTED_DOCUMENTS: {
    default: '(none: any document)',
    doc: 'JSON file `{ "<id>": "<GraphQL document>", … }`. When set, only these documents (sent by id) and the console\'s own are executed; anything else is refused with `PERSISTED_QUERY_ONLY` (HTTP 400) or `PERSISTED_QUERY_NOT_FOUND` (HTTP 404). See [HTTP caching](#http-caching).',
  },
  LAKEQL_LOG_LEVEL: {
    default: 'info',
    doc: 'Level of the JSON log lines on stdout: `fatal`, `error`, `warn`, `info` (one line per request), `debug` (adds `/health`, `/ready` and `/metrics` requests), `trace` or `silent`.',
    parse: oneOf(LOG_LEVELS),
  },
  LAKEQL_URL: {
    default: 'http://127.0.0.1:4000',
    doc: 'CLI only: the gateway `lakeql ls`, `backfill` and `download` talk to (`--url` overrides).',
    parse: text,
  },
  LAKEQL_API_KEY: {
    default: '(none)',
    doc: 'CLI only: the API key those commands send (`--api-key` overrides); never printed.',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const s = readSettings(SETTINGS, env);
  const auth = loadAuth(s);
  if (!isAuthConfigured(auth) && !s.LAKEQL_ALLOW_ANONYMOUS && !isLoopback(s.LAKEQL_HOST)) {
    throw new ConfigError(
      'LAKEQL_HOST',
      `${s.LAKEQL_HOST} is reachable from other machines but no authentication is configured: set LAKEQL_API_KEYS, LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL, or LAKEQL_ALLOW_ANONYMOUS=true to serve without it`,
    );
  }
  return {
    lake: s.LAKEQL_LAKE,
    lakeExplicit: env.LAKEQL_LAKE !== undefined && env.LAKEQL_LAKE.trim() !== '',
    warnings: unknownVariables(env),
    host: s.LAKEQL_HOST,
    port: s.LAKEQL_PORT,
    demo: s.LAKEQL_DEMO,
    maxPageSize: s.LAKEQL_MAX_PAGE_SIZE,
    maxSymbols: s.LAKEQL_MAX_SYMBOLS,
    maxUrlExpiry: s.LAKEQL_MAX_URL_EXPIRY,
    barsCacheBytes: s.LAKEQL_BARS_CACHE_BYTES,
    catalogMaxAge: s.LAKEQL_CATALOG_MAX_AGE,
    fundamentalsCacheBytes: s.LAKEQL_FUNDAMENTALS_CACHE_BYTES,
    responseCacheEntries: s.LAKEQL_RESPONSE_CACHE_ENTRIES,
    urlSecret: s.LAKEQL_URL_SECRET,
    publicUrl: s.LAKEQL_PUBLIC_URL,
    auth,
    allowAnonymous: s.LAKEQL_ALLOW_ANONYMOUS,
    limits: {
      maxDepth: s.LAKEQL_MAX_DEPTH,
      maxAliases: s.LAKEQL_MAX_ALIASES,
      maxDirectives: s.LAKEQL_MAX_DIRECTIVES,
      maxTokens: s.LAKEQL_MAX_TOKENS,
      maxCost: s.LAKEQL_MAX_COST,
      maxBodyBytes: s.LAKEQL_MAX_BODY_BYTES,
      maxUploadBytes: s.LAKEQL_MAX_UPLOAD_BYTES,
      requestTimeoutMs: s.LAKEQL_REQUEST_TIMEOUT_MS,
      maxWsConnections: s.LAKEQL_MAX_WS_CONNECTIONS,
      rateLimit: s.LAKEQL_RATE_LIMIT,
    },
    redisUrl: s.LAKEQL_REDIS_URL,
    redisPrefix: s.LAKEQL_REDIS_PREFIX,
    shutdownTimeoutMs: s.LAKEQL_SHUTDOWN_TIMEOUT_MS,
    transfers: {
      uploadRoot: s.LAKEQL_UPLOAD_ROOT,
      downloadRoot: s.LAKEQL_DOWNLOAD_ROOT,
      concurrency: s.LAKEQL_JOB_CONCURRENCY,
      partSize: s.LAKEQL_PART_SIZE,
      queueSize: s.LAKEQL_PART_QUEUE,
      memoryBytes: s.LAKEQL_TRANSFER_MEMORY,
      attempts: s.LAKEQL_JOB_ATTEMPTS,
      maxRunningJobs: s.LAKEQL_MAX_RUNNING_JOBS,
      staleUploadSeconds: s.LAKEQL_STALE_UPLOAD_AGE,
      retainJobs: s.LAKEQL_JOB_RETENTION,
      uploadJobTimeoutSeconds: s.LAKEQL_UPLOAD_JOB_TIMEOUT,
      stateDir: s.LAKEQL_STATE_DIR,
      leaseMs: s.LAKEQL_JOB_LEASE_MS,
      finishedJobTtlSeconds: s.LAKEQL_JOB_TTL,
      workers: s.LAKEQL_WORKERS,
    },
    logLevel: s.LAKEQL_LOG_LEVEL,
    trustedDocuments: s.LAKEQL_TRUSTED_DOCUMENTS,
  };
}

/** The JWT settings that only make sense together; API keys are hashed as they are parsed. */
function loadAuth(s: SettingValues<typeof SETTINGS>): AuthConfig {
  const {
    LAKEQL_JWT_SECRET: secret,
    LAKEQL_JWT_JWKS_URL: jwksUrl,
    LAKEQL_JWT_ISSUER: issuer,
    LAKEQL_JWT_AUDIENCE: audience,
  } = s;
  if (secret !== undefined && jwksUrl !== undefined)
    throw new ConfigError('LAKEQL_JWT_SECRET', 'set either LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL, not both');
  if ((issuer !== undefined || audience !== undefined) && secret === undefined && jwksUrl === undefined) {
    throw new ConfigError(
      issuer !== undefined ? 'LAKEQL_JWT_ISSUER' : 'LAKEQL_JWT_AUDIENCE',
      'needs LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL',
    );
  }
  return {
    apiKeys: s.LAKEQL_API_KEYS,
    jwt: secret !== undefined || jwksUrl !== undefined ? { secret, jwksUrl, issuer, audience } : undefined,
  };
}

/** 127.0.0.0/8, ::1 and localhost only reach this machine; anything else (0.0.0.0, ::, a LAN address) may not. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** A warning for every LAKEQL_* variable that is not a setting, naming the closest one. */
export function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  return misspeltVariables(env, Object.keys(SETTINGS));
}
