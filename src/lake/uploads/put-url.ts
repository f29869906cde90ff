// Signed, expiring PUT URLs for the directory backend, so a browser uploads to lakeql as it would to a presigned S3 URL.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { keyFromPath, keyToPath, parseExpiry, signatureMatches } from '../url-signer.js';

export const UPLOADS_PATH = '/uploads/';

/** How long after its URL expires an upload may still be completed. */
export const COMPLETION_GRACE_S = 3600;

export interface PutGrant {
  key: string;
  contentLength: number;
  /** Base64 SHA-256 of the bytes the URL accepts. */
  sha256: string;
}

export class PutUrlSigner {
  private readonly secret: Buffer;

  /**
   * A configured secret is stretched apart from the download signer's, so one URL kind can never
   * pass as the other. Completion tokens are signed with it on every backend (S3 too).
   */
  constructor(
    secret?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret ? createHash('sha256').update(`lakeql-put-url\n${secret}`).digest() : randomBytes(32);
  }

  sign(origin: string, grant: PutGrant, expiresIn: number): { url: string; expiresAt: number } {
    const expires = Math.floor(this.now() / 1000) + expiresIn;
    const query = new URLSearchParams({
      expires: String(expires),
      length: String(grant.contentLength),
      sha256: grant.sha256,
      signature: this.mac(grant, expires),
    });
    return { url: `${origin}${UPLOADS_PATH}${keyToPath(grant.key)}?${query}`, expiresAt: expires * 1000 };
  }

  /** The grant a URL carries, or null when its signature is wrong or it has expired. */
  verify(url: URL): PutGrant | null {
    const key = keyFromPath(url, UPLOADS_PATH);
    if (key === null) return null;
    const expires = parseExpiry(url.searchParams);
    const lengths = url.searchParams.getAll('length');
    const sha256 = url.searchParams.get('sha256') ?? '';
    // Decimal as sign() writes it: `0x10`, `+16` or `1.6e1` would be other spellings of one grant.
    if (
      expires === null ||
      expires * 1000 < this.now() ||
      lengths.length !== 1 ||
      !/^(0|[1-9][0-9]{0,15})$/.test(lengths[0])
    )
      return null;
    const contentLength = Number(lengths[0]);
    if (!Number.isSafeInteger(contentLength)) return null;
    const grant = { key, contentLength, sha256 };
    return signatureMatches(url, this.mac(grant, expires)) ? grant : null;
  }

  /**
   * The proof completeUpload asks for: this lake granted an upload of exactly these bytes at this
   * key. Valid until `COMPLETION_GRACE_S` after the URL expires (a PUT may start just before).
   * Stateless, so any instance with the same LAKEQL_URL_SECRET accepts it.
   */
  completionToken(grant: PutGrant, urlExpiresAt: number): string {
    const until = Math.floor(urlExpiresAt / 1000) + COMPLETION_GRACE_S;
    return `${until}.${grant.contentLength}.${grant.sha256}.${this.completionMac(grant, until)}`;
  }

  /** The grant a completion token carries for `key`, or null when it is malformed, forged, for another key or expired. */
  verifyCompletion(key: string, token: string): PutGrant | null {
    const match = /^(\d{1,12})\.(\d{1,16})\.([A-Za-z0-9+/]{43}=)\.([0-9a-f]{64})$/.exec(token);
    if (!match) return null;
    const until = Number(match[1]);
    const grant = { key, contentLength: Number(match[2]), sha256: match[3] };
    if (!Number.isSafeInteger(grant.contentLength) || until * 1000 < this.now()) return null;
    const expected = Buffer.from(this.completionMac(grant, until), 'hex');
    const given = Buffer.from(match[4], 'hex');
    return timingSafeEqual(expected, given) ? grant : null;
  }

  private completionMac(grant: PutGrant, until: number): string {
    return createHmac('sha256', this.secret)
      .update(`COMPLETE\n${grant.key}\n${until}\n${grant.contentLength}\n${grant.sha256}`)
      .digest('hex');
  }

  private mac(grant: PutGrant, expires: number): string {
    return createHmac('sha256', this.secret)
      .update(`PUT\n${grant.key}\n${expires}\n${grant.contentLength}\n${grant.sha256}`)
      .digest('hex');
  }
}

/** Checksums arrive as base64 (S3's x-amz-checksum-sha256) or hex; both become base64. */
export function normalizeSha256(checksum: string): string | undefined {
  const text = checksum.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex').toString('base64');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return text;
  return undefined;
}
