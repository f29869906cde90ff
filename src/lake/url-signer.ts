// Signed, expiring download URLs for lakes without a presigner (the directory backend): lakeql serves the bytes itself.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const FILES_PATH = '/files/';

export class UrlSigner {
  private readonly secret: Buffer;

  constructor(
    secret?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** `${origin}/files/<key>?expires=<unix s>&signature=<hex>`; key segments are percent-encoded. */
  sign(origin: string, key: string, expiresIn: number): string {
    const expires = Math.floor(this.now() / 1000) + expiresIn;
    return `${origin}${FILES_PATH}${keyToPath(key)}?expires=${expires}&signature=${this.mac(key, expires)}`;
  }

  /** The key a signed URL grants, or null when the signature is wrong or expired. */
  verify(url: URL): string | null {
    const key = keyFromPath(url, FILES_PATH);
    if (key === null) return null;
    const expires = parseExpiry(url.searchParams);
    if (expires === null || expires * 1000 < this.now()) return null;
    return signatureMatches(url, this.mac(key, expires)) ? key : null;
  }

  private mac(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`GET\n${key}\n${expires}`).digest('hex');
  }
}

/** A key as a URL path, each segment percent-encoded (keys may hold "?", "#", spaces, unicode). */
export function keyToPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The key under `base` in a URL's path, or null when the path is elsewhere or badly encoded. */
export function keyFromPath(url: URL, base: string): string | null {
  if (!url.pathname.startsWith(base)) return null;
  try {
    return url.pathname.slice(base.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

/**
 * Unix seconds written exactly as sign() writes them: decimal digits, no sign, no leading zero,
 * no exponent, no hex, nothing after. Number() alone accepts `0x…`, `+…`, `1.79e9` and `  12 `,
 * so one expiry would have several spellings, each a different URL granting the same thing.
 */
export function parseExpiry(params: URLSearchParams): number | null {
  const all = params.getAll('expires');
  if (all.length !== 1 || !/^[1-9][0-9]{0,14}$/.test(all[0])) return null;
  return Number(all[0]);
}

/**
 * The URL's only `signature` is the expected MAC as lower-case hex of its exact length, compared
 * in constant time. Buffer.from(…, 'hex') stops at the first non-hex pair and drops an odd last
 * digit, so anything after a valid signature would otherwise pass: the text is checked first.
 */
export function signatureMatches(url: URL, expectedHex: string): boolean {
  const all = url.searchParams.getAll('signature');
  if (all.length !== 1 || all[0].length !== expectedHex.length || !/^[0-9a-f]+$/.test(all[0])) return false;
  return timingSafeEqual(Buffer.from(all[0], 'hex'), Buffer.from(expectedHex, 'hex'));
}
