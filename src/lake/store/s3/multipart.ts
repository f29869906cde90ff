// Multipart uploads on S3 for the upload engine and resumable uploads: create, parts, complete, abort, and the listings that find them again.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NotFoundError } from '../../errors.js';
import { normalizeMetadata } from '../body.js';
import { assertValidKey } from '../keys.js';
import type { MultipartStore, MultipartUploadInfo, PutOptions, PutResult, UploadedPart } from '../types.js';
import { DEFAULT_CONTENT_TYPE, quoteEtag, type S3Calls } from './call.js';

export class S3Multipart implements MultipartStore {
  constructor(private readonly s3: S3Calls) {}

  async createMultipartUpload(key: string, options: Omit<PutOptions, 'mode' | 'contentLength'> = {}): Promise<string> {
    assertValidKey(key);
    const out = await this.s3.run(
      'CreateMultipartUpload',
      key,
      (abortSignal) =>
        this.s3.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.s3.bucket,
            Key: key,
            ContentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
            Metadata: normalizeMetadata(options.metadata, key),
          }),
          { abortSignal },
        ),
      { signal: options.signal },
    );
    return out.UploadId!;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    assertValidKey(key);
    const out = await this.s3.run(
      'UploadPart',
      key,
      (abortSignal) =>
        this.s3.client.send(
          new UploadPartCommand({
            Bucket: this.s3.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.byteLength,
          }),
          { abortSignal },
        ),
      { signal },
    );
    return { etag: out.ETag! };
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    assertValidKey(key);
    const out = await this.s3.run('CompleteMultipartUpload', key, (abortSignal) =>
      this.s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.s3.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
        { abortSignal },
      ),
    );
    return { etag: out.ETag };
  }

  /** Idempotent, like the directory backend: an upload already gone is not an error during clean-up. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.s3.run('AbortMultipartUpload', key, (abortSignal) =>
        this.s3.client.send(new AbortMultipartUploadCommand({ Bucket: this.s3.bucket, Key: key, UploadId: uploadId }), {
          abortSignal,
        }),
      );
    } catch (error) {
      if (error instanceof NotFoundError && error.backendCode === 'NoSuchUpload') return;
      throw error;
    }
  }

  async listMultipartUploads(prefix = ''): Promise<MultipartUploadInfo[]> {
    const uploads: MultipartUploadInfo[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const out = await this.s3.run('ListMultipartUploads', undefined, (abortSignal) =>
        this.s3.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.s3.bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
          { abortSignal },
        ),
      );
      for (const u of out.Uploads ?? [])
        if (u.Key && u.UploadId)
          uploads.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
      if (!out.IsTruncated || (out.NextKeyMarker === keyMarker && out.NextUploadIdMarker === uploadIdMarker))
        return uploads;
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    assertValidKey(key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await this.s3.run('ListParts', key, (abortSignal) =>
        this.s3.client.send(
          new ListPartsCommand({
            Bucket: this.s3.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
          { abortSignal },
        ),
      );
      for (const p of out.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag)
          parts.push({ partNumber: p.PartNumber, etag: quoteEtag(p.ETag)!, size: p.Size ?? 0 });
      }
      if (!out.IsTruncated || out.NextPartNumberMarker === undefined || out.NextPartNumberMarker === marker) break;
      marker = out.NextPartNumberMarker;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }
}
