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
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${origin}${FILES_PATH}${path}?expires=${expires}&signature=${this.mac(key, expires)}`;
  }

  /** The key a signed URL grants, or null when the signature is wrong or expired. */
  verify(url: URL): string | null {
    if (!url.pathname.startsWith(FILES_PATH)) return null;
    let key: string;
    try {
      key = url.pathname.slice(FILES_PATH.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      return null;
    }
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('signature') ?? '';
    if (!Number.isInteger(expires) || expires * 1000 < this.now()) return null;
    const expected = Buffer.from(this.mac(key, expires), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? key : null;
  }

  private mac(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`GET\n${key}\n${expires}`).digest('hex');
  }
}
