// Signed, expiring download URLs for lakes without a presigner (the directory backend): lakeql serves the bytes itself.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const FILES_PATH = '/files/';

export class UrlSigner {
  private readonly secret: Buffer;

  constructor(secret?: string, private readonly now: () => number = Date.now) {
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
    const expires = Number(url.searchParams.get('expires'));
    if (!Number.isInteger(expires) || expires * 1000 < this.now()) return null;
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

/** The URL's `signature` equals the expected hex MAC, compared in constant time. */
export function signatureMatches(url: URL, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const given = Buffer.from(url.searchParams.get('signature') ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
