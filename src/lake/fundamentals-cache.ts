// Decoded fundamentals JSON kept in memory, keyed by key + ETag, within a byte budget: one GET per version of a file.
import { ByteLru } from './bars/cache.js';
import { InvalidDataError } from './errors.js';
import { SingleFlight } from './single-flight.js';
import { readAll } from './store/body.js';
import type { ObjectStore } from './store/types.js';

/**
 * A parsed JSON object takes about three times its text in V8 (property names, boxed numbers):
 * the budget is charged that much per file, so LAKEQL_FUNDAMENTALS_CACHE_BYTES bounds the heap.
 */
const DECODED_BYTES_PER_TEXT_BYTE = 3;

export class FundamentalsCache {
  readonly lru: ByteLru<unknown>;
  private readonly reads = new SingleFlight();

  constructor(
    private readonly store: ObjectStore,
    maxBytes: number,
  ) {
    this.lru = new ByteLru(maxBytes);
  }

  /**
   * The file's parsed JSON. With the ETag a listing gave, a cached copy of that version answers
   * without a request; otherwise (or on a miss) one GET, whose own ETag names what is cached, so
   * an overwritten file is never answered from its old version's entry. Concurrent misses for the
   * same version share that GET; without an ETag there is no version to share (a read that began
   * before a write must not answer a request made after it).
   */
  async read(key: string, etag?: string): Promise<unknown> {
    if (etag === undefined) return this.fetch(key);
    const hit = this.lru.get(`${key}\u0000${etag}`);
    if (hit !== undefined) return hit;
    return this.reads.run(`${key}\u0000${etag}`, () => this.fetch(key));
  }

  private async fetch(key: string): Promise<unknown> {
    const { head, body } = await this.store.get(key);
    let bytes: Uint8Array;
    try {
      bytes = await readAll(body);
    } finally {
      body.destroy();
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (cause) {
      throw new InvalidDataError(`${key} is not valid JSON`, { key, cause });
    }
    // An overwritten file's old version is not looked for (a scan per miss); no lookup names its ETag again, so it ages out.
    if (head.etag !== undefined && value !== undefined) {
      this.lru.set(`${key}\u0000${head.etag}`, value, bytes.byteLength * DECODED_BYTES_PER_TEXT_BYTE);
    }
    return value;
  }
}
