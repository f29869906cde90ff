// SYNC's question, "is the object already these bytes?", answered from the ETag when S3 made it an MD5, else by reading.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ObjectMeta, ObjectStore } from '../store/types.js';

const MiB = 1024 * 1024;
/** Part sizes an upload of this lake may have used: ours, boto3's default (8 MiB), the seed's TransferConfig (10 MiB), common others. */
const COMMON_PART_SIZES = [8, 10, 16, 5, 15, 32, 64, 100].map((n) => n * MiB);

/**
 * S3's ETag of a single-part, unencrypted upload is the MD5 of the bytes; of a multipart upload
 * it is the MD5 of the parts' MD5s with "-<parts>" appended, which we can recompute for the part
 * sizes writers commonly use. Anything else (the directory backend's ETags, SSE-KMS, a part
 * size we cannot guess) is settled by hashing the stored bytes, one GET.
 */
export async function sameContent(
  store: ObjectStore,
  file: string,
  meta: ObjectMeta,
  partSize: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const etag = (meta.etag ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  if (/^[0-9a-f]{32}$/.test(etag)) return (await md5OfFile(file)) === etag;
  const multipart = /^([0-9a-f]{32})-(\d+)$/.exec(etag);
  if (multipart) {
    const parts = Number(multipart[2]);
    const candidates = [...new Set([partSize, ...COMMON_PART_SIZES])].filter(
      (p) => parts > 1 && Math.ceil(meta.size / p) === parts,
    );
    for (const p of candidates) if ((await multipartEtag(file, p)) === etag) return true;
  }
  const { body } = await store.get(meta.key, { signal, ifMatch: meta.etag });
  const stored = createHash('md5');
  for await (const chunk of body) stored.update(chunk as Buffer);
  return stored.digest('hex') === (await md5OfFile(file));
}

export async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function multipartEtag(file: string, partSize: number): Promise<string> {
  const digests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    let bytes = chunk as Buffer;
    while (bytes.length > 0) {
      const n = Math.min(bytes.length, partSize - inPart);
      part.update(bytes.subarray(0, n));
      inPart += n;
      bytes = bytes.subarray(n);
      if (inPart === partSize) {
        digests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || digests.length === 0) digests.push(part.digest());
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}
