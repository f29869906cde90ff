// Single-object write resolvers: a streamed tick file, fundamentals, bars, and upload URLs with their completion.
import type { Principal } from '../auth/principal.js';
import { InvalidInputError, PermissionDeniedError } from '../lake/errors.js';
import type { BarRow } from '../lake/bars/types.js';
import { PARQUET_CONTENT_TYPE, parseKey, ticksMetadata, type Resolution } from '../lake/layout.js';
import { writeBars as writeBarsFile, type WriteMode } from '../lake/uploads/bars-write.js';
import type { JobSnapshot } from '../lake/jobs/types.js';
import {
  completeUpload as complete,
  putFundamentals as putJson,
  tickTarget,
  uploadTickStream,
  type StoredObject,
} from '../lake/uploads/objects.js';
import { normalizeSha256 } from '../lake/uploads/put-url.js';
import { registerUploadJob, uploadTickJob } from '../lake/uploads/upload-job.js';
import type { Context } from './context.js';
import { transfers } from './jobs.js';
import { asUploadedFile } from '../services/uploaded-file.js';

/** S3 allows presigned URLs for a week; upload URLs are capped at an hour: long enough for a large file on a slow link, short enough that a leaked URL soon stops working. */
export const MAX_UPLOAD_URL_SECONDS = 3600;

interface TickArgs {
  symbol: string;
  year: number;
  resolution: Resolution;
  month?: number | null;
}

/** With `jobId` (from createUploadJob) the upload runs as that job; without, exactly as before jobs existed. */
export async function uploadTickFile(
  ctx: Context,
  args: TickArgs & { file: unknown; jobId?: string | null },
  signal?: AbortSignal,
): Promise<StoredObject> {
  const file = asUploadedFile(args.file);
  if (!file) throw new InvalidInputError('file must be a file of a multipart request');
  const { engine, jobs } = transfers(ctx);
  const stream = file.stream();
  try {
    // A getter: the file's part headers (and so its name) may arrive after the resolver starts.
    if (args.jobId != null)
      return await uploadTickJob(jobs, engine, args.jobId, args, {
        get filename() {
          return file.filename;
        },
        stream,
      });
    return await uploadTickStream(engine.uploader, args, stream, {
      partSize: engine.defaults.partSize,
      queueSize: engine.defaults.queueSize,
      signal,
    });
  } catch (error) {
    stream.resume();
    throw error;
  }
}

export function createUploadJob(ctx: Context, args: TickArgs & { contentLength: number }): Promise<JobSnapshot> {
  const { jobs, uploadJobTimeoutMs } = transfers(ctx);
  return registerUploadJob(jobs, args, uploadJobTimeoutMs);
}

export function putFundamentals(
  ctx: Context,
  args: { symbol: string; year: number; quarter: number; data: unknown },
): Promise<StoredObject> {
  return putJson(ctx.services.store, args);
}

export interface BarInput {
  time: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap?: number | null;
  trades?: number | null;
}

export function writeBars(ctx: Context, args: TickArgs & { bars: BarInput[]; mode: WriteMode }) {
  const bars: BarRow[] = args.bars.map((b) => ({
    time: b.time.getTime(),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    ...(b.vwap != null ? { vwap: b.vwap } : {}),
    ...(b.trades != null ? { trades: b.trades } : {}),
  }));
  return writeBarsFile(ctx.services.store, { ...args, bars });
}

export interface UploadUrl {
  url: string;
  method: 'PUT';
  key: string;
  /** Headers the client must send exactly as given (they are signed). */
  headers: Record<string, string>;
  expiresAt: Date;
  /** For completeUpload: proof that this lake granted this upload (see PutUrlSigner.completionToken). */
  completionToken: string;
}

/**
 * A URL that accepts exactly one PUT of `contentLength` bytes with this SHA-256: presigned by
 * S3 (the checksum and metadata are signed headers, so S3 itself rejects other bytes), or signed
 * by lakeql on a directory lake, which checks the same before publishing. completeUpload then
 * validates the content.
 */
export async function createUploadUrl(
  ctx: Context,
  args: TickArgs & { contentLength: number; checksum: string; expiresIn: number },
): Promise<UploadUrl> {
  if (!Number.isInteger(args.expiresIn) || args.expiresIn < 1 || args.expiresIn > MAX_UPLOAD_URL_SECONDS) {
    throw new InvalidInputError(`expiresIn must be 1–${MAX_UPLOAD_URL_SECONDS} seconds, got ${args.expiresIn}`);
  }
  if (!Number.isSafeInteger(args.contentLength) || args.contentLength < 12)
    throw new InvalidInputError(
      `contentLength must be at least 12 bytes (a Parquet file's minimum), got ${args.contentLength}`,
    );
  const sha256 = normalizeSha256(args.checksum);
  if (!sha256) throw new InvalidInputError('checksum must be the SHA-256 of the file, base64 (as S3 wants it) or hex');
  const { key, target } = tickTarget(args);
  const metadata = ticksMetadata(target.resolution, target.symbol, target.year, target.month);
  const headers: Record<string, string> = { 'content-type': PARQUET_CONTENT_TYPE };
  const { presigner } = ctx.services;
  const { putUrls } = transfers(ctx);
  const grant = { key, contentLength: args.contentLength, sha256 };
  if (presigner) {
    const url = await presigner.presignPut(key, {
      expiresIn: args.expiresIn,
      contentType: PARQUET_CONTENT_TYPE,
      contentLength: args.contentLength,
      metadata,
      checksumSha256: sha256,
    });
    for (const [name, value] of Object.entries(metadata)) headers[`x-amz-meta-${name}`] = value;
    headers['x-amz-checksum-sha256'] = sha256;
    const expiresAt = Date.now() + args.expiresIn * 1000;
    return {
      url,
      method: 'PUT',
      key,
      headers,
      expiresAt: new Date(expiresAt),
      completionToken: putUrls.completionToken(grant, expiresAt),
    };
  }
  const { url, expiresAt } = putUrls.sign(ctx.origin, grant, args.expiresIn);
  return {
    url,
    method: 'PUT',
    key,
    headers,
    expiresAt: new Date(expiresAt),
    completionToken: putUrls.completionToken(grant, expiresAt),
  };
}

/**
 * Acts only with the token createUploadUrl handed out for this key: without one, a caller could
 * have lakeql validate (and delete) any object, such as fundamentals another tool wrote. A
 * caller without `read` gets back the metadata the grant required, not what the store holds. Once
 * checked, the catalog index learns of the object at once, not at its next refresh.
 */
export async function completeUpload(ctx: Context, key: string, token: string): Promise<StoredObject> {
  const grant = transfers(ctx).putUrls.verifyCompletion(key, token);
  if (!grant)
    throw new PermissionDeniedError(
      'this completion token was not issued for this key by this lake, or it has expired',
      { key },
    );
  const stored = await complete(ctx.services.store, key, grant);
  await ctx.services.noteWritten(key);
  const principal = (ctx as { principal?: Principal }).principal;
  if (principal && !principal.scopes.has('read')) {
    const parsed = parseKey(key);
    if (parsed?.kind === 'ticks')
      return {
        ...stored,
        metadata: ticksMetadata(
          parsed.resolution,
          parsed.symbol,
          parsed.year,
          parsed.resolution === 'MINUTE' ? parsed.month : undefined,
        ),
      };
    return { ...stored, metadata: {} };
  }
  return stored;
}
