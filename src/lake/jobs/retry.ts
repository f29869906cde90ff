// Retries with decorrelated-jitter backoff; clock and random source are injectable so tests are fast and exact.
import { CancelledError, isLakeError } from '../errors.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new CancelledError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  clock?: Clock;
  /** A number in [0, 1), like Math.random. */
  random?: () => number;
  signal?: AbortSignal;
  isRetryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'> = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

/**
 * "Decorrelated jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): each delay is
 * random in [base, 3 × previous], capped. Spreads retries of many clients better than full jitter
 * on the exponent while still growing roughly exponentially.
 */
export function nextDelay(previousMs: number, baseMs: number, capMs: number, random: () => number): number {
  const upper = Math.max(baseMs, previousMs * 3);
  return Math.min(capMs, baseMs + random() * (upper - baseMs));
}

/** Only errors the lake marked retryable are tried again; anything else (permanent, cancelled, bugs) fails at once. */
export function isRetryableError(error: unknown): boolean {
  return isLakeError(error) && error.retryable && error.code !== 'CANCELLED';
}

/** Runs `fn` until it succeeds, fails permanently, runs out of attempts, or `signal` aborts. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const retryable = options.isRetryable ?? isRetryableError;
  let delay = options.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts || !retryable(error) || options.signal?.aborted) throw error;
      delay = nextDelay(delay, options.baseDelayMs, options.maxDelayMs, random);
      options.onRetry?.(error, attempt, delay);
      await clock.sleep(delay, options.signal);
    }
  }
}
