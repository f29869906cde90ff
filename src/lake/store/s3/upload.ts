// StreamingUploader for S3: lib-storage's Upload, with progress counted as bytes leave and no stranded parts on abort.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CancelledError } from '../../errors.js';
import { assertValidKey } from '../keys.js';
import type { MultipartHooks } from '../multipart-upload.js';
import { translateS3Error } from './errors.js';
import { RedirectError, S3FastPut } from './put.js';
import {
  DEFAULT_QUEUE_SIZE,
  effectivePartSize,
  type StreamingUploader,
  type StreamUploadOptions,
  type StreamUploadResult,
} from '../streaming.js';

/** Bodies at least this large are sent as a counted stream; smaller ones count when their response arrives. */
const COUNT_SLICE = 64 * 1024;

type Command = { input: Record<string, unknown>; middlewareStack: { add: (mw: unknown, options: unknown) => void } };

export class S3StreamUploader implements StreamingUploader {
  private fast?: S3FastPut;

  /** @param prefix key prefix of the lake inside the bucket ("" or ending in "/"). */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = '',
    private readonly hooks: MultipartHooks = {},
  ) {
    this.fast = new S3FastPut(client, bucket);
  }

  async uploadStream(
    key: string,
    body: Readable | Uint8Array,
    options: StreamUploadOptions,
  ): Promise<StreamUploadResult> {
    assertValidKey(key);
    const partSize = effectivePartSize(options.partSize, options.contentLength);
    // Bodies already in memory that fit one part go as one PutObject, through the fast path when it applies.
    if (body instanceof Uint8Array && body.byteLength <= partSize && this.fast) {
      const target = await this.fast.target();
      if (target) {
        if (options.signal?.aborted) throw new CancelledError(`upload of "${key}" cancelled`, { key, store: 's3' });
        await options.beforeCommit?.();
        try {
          const { etag } = await this.fast.put(this.prefix + key, body, options, target);
          return { etag, parts: 0, size: body.byteLength };
        } catch (error) {
          if (!(error instanceof RedirectError)) throw error;
          this.fast = undefined; // the SDK follows region redirects; use it from now on
        }
      }
    }
    const session = new Session(this.client, this.bucket, key, this.prefix + key, { ...options, partSize }, this.hooks);
    const size = body instanceof Uint8Array ? body.byteLength : options.contentLength;
    const upload = new Upload({
      client: session.client,
      params: {
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentType: options.contentType,
        Metadata: options.metadata,
        ...(size !== undefined ? { ContentLength: size } : {}),
      },
      partSize,
      queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      abortController: session.internal,
    });
    try {
      if (options.signal?.aborted) throw new CancelledError();
      const out = await upload.done();
      session.finishProgress();
      return { etag: out.ETag, parts: upload.uploadId ? session.partCount : 0, size: session.bytes };
    } catch (error) {
      // The abort came while CompleteMultipartUpload was answered: the object exists, whole, so
      // this upload succeeded (reporting it cancelled would hide an object from the job's counts).
      if (session.completed) return { etag: session.completed.etag, parts: session.partCount, size: session.bytes };
      // lib-storage's done() rejects as soon as the abort signal fires, while parts may still be in
      // flight: wait for every request we let out, then abort the upload ourselves.
      await session.settle();
      await session.abortOnce().catch(() => {
        /* the marker stays: the start-up clean-up aborts it */
      });
      throw session.error(error);
    } finally {
      session.dispose();
      if (!(body instanceof Uint8Array) && !body.destroyed) body.destroy();
    }
  }
}

/** One uploadStream call: the client lib-storage sees, which routes every request through us. */
class Session {
  readonly internal = new AbortController();
  readonly client: S3Client;
  partCount = 0;
  bytes = 0;
  /** Set once CompleteMultipartUpload has succeeded, whatever lib-storage says afterwards. */
  completed?: { etag?: string };
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly partBytes = new Map<number, number>();
  private uploadId?: string;
  private failure?: unknown;
  private aborting?: Promise<void>;
  private sent = 0;
  private readonly onOuterAbort = () => this.internal.abort();

  constructor(
    private readonly real: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly fullKey: string,
    private readonly options: StreamUploadOptions,
    private readonly hooks: MultipartHooks,
  ) {
    options.signal?.addEventListener('abort', this.onOuterAbort, { once: true });
    // lib-storage only calls send() and reads config: that is the whole surface it needs.
    this.client = {
      config: real.config,
      send: (command: unknown) => this.send(command as Command),
    } as unknown as S3Client;
  }

  dispose(): void {
    this.options.signal?.removeEventListener('abort', this.onOuterAbort);
  }

  private send(command: Command): Promise<unknown> {
    if (command instanceof AbortMultipartUploadCommand) return this.abortOnce();
    if (this.internal.signal.aborted) return Promise.reject(new CancelledError());
    const run = this.dispatch(command).catch((error: unknown) => {
      this.failure ??= error;
      this.internal.abort();
      throw error;
    });
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run)).catch(() => {});
    return run;
  }

  private async dispatch(command: Command): Promise<unknown> {
    if (command instanceof CreateMultipartUploadCommand) {
      await this.options.beforeMultipartCreate?.();
      // No abort signal: an upload the server created but we never heard of would be stranded.
      const out = await this.real.send(command);
      this.uploadId = out.UploadId;
      if (this.uploadId) {
        // The journal first: it is local, so the id is on record sooner than the marker's PUT returns.
        await this.options.onMultipartCreated?.(this.uploadId, this.options.partSize!);
        await this.hooks.onCreated?.(this.key, this.uploadId, this.options.job);
      }
      return out;
    }
    if (command instanceof PutObjectCommand || command instanceof CompleteMultipartUploadCommand) {
      // Every byte has been read: validate before the object becomes visible.
      await this.options.beforeCommit?.();
      if (this.internal.signal.aborted) throw new CancelledError();
    }
    if (command instanceof CompleteMultipartUploadCommand) {
      const out = (await this.real.send(command)) as { ETag?: string };
      this.completed = { etag: out.ETag };
      await this.hooks.onEnded?.(this.key, this.uploadId!);
      this.uploadId = undefined;
      return out;
    }
    if (command instanceof PutObjectCommand || command instanceof UploadPartCommand) {
      const partNumber = command instanceof UploadPartCommand ? (command.input.PartNumber ?? 1) : 0;
      const length = byteLength(command.input.Body);
      this.bytes += length;
      if (partNumber > 0) this.partCount++;
      if (length >= COUNT_SLICE)
        command.middlewareStack.add(this.counter(partNumber), {
          step: 'deserialize',
          name: 'lakeqlSendProgress',
          priority: 'low',
        });
      const out = await this.real.send(command as never, { abortSignal: this.internal.signal });
      this.count(partNumber, length);
      return out;
    }
    return this.real.send(command as never, { abortSignal: this.internal.signal });
  }

  /** Per attempt (this step runs after the retry middleware), the body goes out as a stream counted as it is pulled. */
  private counter(partNumber: number) {
    return (next: (args: { request: { body?: unknown } }) => Promise<unknown>) =>
      async (args: { request: { body?: unknown } }) => {
        const body = args.request.body;
        if (!(body instanceof Uint8Array)) return next(args);
        const request = Object.assign(
          Object.create(Object.getPrototypeOf(args.request) as object) as object,
          args.request,
          {
            body: countedStream(body, (n) => this.count(partNumber, n)),
          },
        );
        return next({ ...args, request });
      };
  }

  /** A part's contribution is the most any attempt has sent, so progress never goes back on a retry. */
  private count(partNumber: number, sentOfPart: number): void {
    const before = this.partBytes.get(partNumber) ?? 0;
    if (sentOfPart <= before) return;
    this.partBytes.set(partNumber, sentOfPart);
    this.sent += sentOfPart - before;
    this.options.onProgress?.(this.sent);
  }

  finishProgress(): void {
    if (this.bytes > this.sent) {
      this.sent = this.bytes;
      this.options.onProgress?.(this.sent);
    }
  }

  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Idempotent; lib-storage's own abort request lands here too. */
  abortOnce(): Promise<void> {
    this.aborting ??= (async () => {
      await this.settle();
      const uploadId = this.uploadId;
      if (!uploadId) return;
      try {
        await this.real.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.fullKey, UploadId: uploadId }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchUpload')
          throw translateS3Error(error, { operation: 'AbortMultipartUpload', key: this.key, bucket: this.bucket });
      }
      this.uploadId = undefined;
      await this.hooks.onEnded?.(this.key, uploadId);
    })();
    return this.aborting;
  }

  /** The first real failure wins over lib-storage's "Upload aborted." that follows it. */
  error(thrown: unknown): unknown {
    if (this.options.signal?.aborted)
      return new CancelledError(`upload of "${this.key}" cancelled`, { key: this.key, store: 's3' });
    return translateS3Error(this.failure ?? thrown, { operation: 'upload', key: this.key, bucket: this.bucket });
  }
}

function byteLength(body: unknown): number {
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof body === 'string') return Buffer.byteLength(body);
  return 0;
}

/** Pull-driven: a slice is pushed (and counted) only when the socket wants more, so counts track what has gone out. */
function countedStream(bytes: Uint8Array, onSent: (n: number) => void): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: COUNT_SLICE,
    read() {
      if (offset >= bytes.byteLength) {
        this.push(null);
        return;
      }
      const end = Math.min(bytes.byteLength, offset + COUNT_SLICE);
      this.push(bytes.subarray(offset, end));
      offset = end;
      onSent(offset);
    },
  });
}
