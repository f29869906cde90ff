// The start-up check of a lake: one listing that tells a missing bucket or refused credentials from a network hiccup.
import { isLakeError } from '../errors.js';
import type { ObjectStore } from './types.js';

export class LakeUnusableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'LakeUnusableError';
  }
}

export type LakeFailure = 'missing' | 'credentials' | 'denied' | 'transient' | 'other';

/**
 * What a failed first request says about the lake. Only the store's own translated error is
 * looked at (S3's NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken,
 * AccessDenied, 5xx, resets and timeouts all arrive here as LakeErrors), never SDK errors.
 */
export function classifyLakeFailure(error: unknown): LakeFailure {
  if (!isLakeError(error)) return 'other';
  if (error.backendCode === 'NoSuchBucket') return 'missing';
  if (error.code === 'UNAUTHENTICATED') return 'credentials';
  if (error.code === 'PERMISSION_DENIED') return 'denied';
  if (error.retryable) return 'transient';
  return 'other';
}

export interface CheckLakeOptions {
  /** Tries of the listing when it fails transiently (the first included). */
  attempts?: number;
  /** Wait before the n-th retry (1-based), ms. */
  delayMs?: (retry: number) => number;
  sleep?: (ms: number) => Promise<void>;
  /** Each transient failure that will be retried. */
  warn?: (message: string) => void;
  /** How the lake is named in messages: s3://bucket/prefix or the directory. */
  name: string;
}

/**
 * Lists one key: a bucket that does not exist or credentials it refuses stop start-up at once
 * with a message saying which (serving would only fail every request later); a transient
 * failure is retried a few times with a warning each, and stops start-up only if it persists.
 */
export async function checkLake(store: ObjectStore, options: CheckLakeOptions): Promise<void> {
  const attempts = options.attempts ?? 4;
  const delayMs = options.delayMs ?? ((retry) => 250 * 2 ** (retry - 1));
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await store.list({ maxKeys: 1 });
      return;
    } catch (error) {
      const kind = classifyLakeFailure(error);
      const detail = error instanceof Error ? error.message : String(error);
      if (kind === 'missing')
        throw new LakeUnusableError(
          `the lake ${options.name} cannot be used: its bucket does not exist (${detail}). Create it or fix LAKEQL_LAKE`,
          error,
        );
      if (kind === 'credentials')
        throw new LakeUnusableError(
          `the lake ${options.name} refused the AWS credentials (${detail}). Check AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
          error,
        );
      if (kind === 'denied')
        throw new LakeUnusableError(
          `the lake ${options.name} denied access to these credentials (${detail}). They need s3:ListBucket on it, and GetObject/PutObject for reads and writes`,
          error,
        );
      if (kind === 'transient' && attempt < attempts) {
        const wait = delayMs(attempt);
        options.warn?.(
          `the lake ${options.name} did not answer (${detail}); trying again in ${wait} ms (${attempt} of ${attempts - 1} retries)`,
        );
        await sleep(wait);
        continue;
      }
      const why = kind === 'transient' ? `still unreachable after ${attempts} tries` : 'cannot be used';
      throw new LakeUnusableError(`the lake ${options.name} ${why}: ${detail}`, error);
    }
  }
}
