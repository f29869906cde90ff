// Structured JSON logs (pino): request ids bound per request through AsyncLocalStorage, secrets never written.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every log line written while a request is handled carries. */
export interface RequestScope {
  requestId: string;
}

/**
 * Bound in the request-log plugin's onRequest (enterWith), so lines logged anywhere below it — a
 * resolver, the store, yoga's own error logging — carry the request id without passing a logger down.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * Belt and braces: request lines never include headers or bodies, but a careless `log.info({ headers })`
 * or an error object carrying a config must still not leak credentials.
 */
const REDACT_PATHS = [
  'authorization',
  'apiKey',
  'apiKeys',
  'password',
  'secret',
  'token',
  'cookie',
  '*.authorization',
  '*.apiKey',
  '*.apiKeys',
  '*.password',
  '*.secret',
  '*.token',
  '*.cookie',
  '*["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers.cookie',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout when omitted (tests pass a stream to read them). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'lakeql' },
      timestamp: stdTimeFunctions.isoTime,
      // "level":"info" reads better in log search than pino's numbers, and every collector maps it.
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const scope = requestScope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

/** Query parameters whose values are credentials: lakeql's own signed URLs, S3 presigned URLs, tokens. */
const SECRET_PARAMS =
  /^(sig|signature|token|access_token|api[-_]?key|key|x-amz-signature|x-amz-credential|x-amz-security-token|password)$/i;

/** Path plus query with credential values replaced, for the request line. */
export function redactedPath(url: URL): string {
  if (url.search === '') return url.pathname;
  const params = new URLSearchParams(url.search);
  for (const name of new Set(params.keys())) if (SECRET_PARAMS.test(name)) params.set(name, '[redacted]');
  return `${url.pathname}?${params.toString().replaceAll('%5Bredacted%5D', '[redacted]')}`;
}

/** Yoga's logger interface over pino: yoga logs unexpected (masked) errors with `error`, so they keep their stack here. */
export function yogaLogger(logger: Logger): {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
} {
  const write =
    (level: 'trace' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const error = args.find((a): a is Error => a instanceof Error);
      const text = args
        .filter((a) => !(a instanceof Error))
        .map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))
        .join(' ');
      const code = error && expectedCode(error);
      // A user's mistake (a bad path, a missing object) is not a fault of the server: warn, no stack.
      if (code) logger[level === 'error' ? 'warn' : level]({ code }, error.message);
      else if (error) logger[level]({ err: error }, text || error.message);
      else logger[level](text);
    };
  // Yoga's debug lines ("Processing GraphQL Parameters", ...) come several per request: trace, not debug.
  return { debug: write('trace'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The typed code of an error the API reports on purpose (a lake error such as NOT_FOUND or
 * FORBIDDEN, carried as `extensions.code` or on the original error), or undefined for an
 * unexpected one, which yoga masks and which keeps its stack at `error`.
 */
function expectedCode(error: Error): string | undefined {
  const extensions = (error as { extensions?: { code?: unknown } }).extensions;
  const original = (error as { originalError?: { code?: unknown; name?: unknown } }).originalError;
  const code = typeof extensions?.code === 'string' ? extensions.code : undefined;
  if (code && code !== 'INTERNAL_SERVER_ERROR') return code;
  // Lake errors are LakeError subclasses whose `code` is their vocabulary word (src/lake/errors.ts).
  if (
    original &&
    typeof original.code === 'string' &&
    typeof original.name === 'string' &&
    original.name.endsWith('Error') &&
    /^[A-Z_]+$/.test(original.code) &&
    original.code !== 'STORE_ERROR'
  ) {
    return original.code;
  }
  return undefined;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
