// One S3 request as the store's parts send it (refused when already cancelled, SDK errors turned into lake errors), and the defaults they share.
import type { S3Client } from '@aws-sdk/client-s3';
import { CancelledError } from '../../errors.js';
import { translateS3Error } from './errors.js';

/** The client and bucket a store's requests go to, and the one way they are sent. */
export class S3Calls {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /** Runs one SDK call with cancellation, and turns whatever it throws into a lake error. */
  async run<T>(
    operation: string,
    key: string | undefined,
    call: (abortSignal: AbortSignal) => Promise<T>,
    options: { signal?: AbortSignal; createOnly?: boolean } = {},
  ): Promise<T> {
    const signal = options.signal ?? new AbortController().signal;
    if (signal.aborted) throw new CancelledError(`S3 ${operation} cancelled`, { key, store: 's3' });
    try {
      return await call(signal);
    } catch (error) {
      throw translateS3Error(error, { operation, key, bucket: this.bucket, createOnly: options.createOnly });
    }
  }
}

/** What an object stored without a content type is served as. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** S3 wants ETags quoted (If-Match) and some servers list parts' ETags bare: quoted here, weak and `*` left alone. */
export function quoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '*' || etag.startsWith('"') || etag.startsWith('W/')) return etag;
  return `"${etag}"`;
}
