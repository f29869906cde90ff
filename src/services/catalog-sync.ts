// LAKEQL_REDIS_URL: every instance hears of every write made through any instance, over one Redis pub/sub channel per lake.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FileEntry } from '../lake/catalog-index/snapshot.js';
import type { WrittenEntry } from '../lake/catalog-index/watched-store.js';
import type { LakeLocation } from '../lake/store/open.js';

export interface CatalogSync {
  /** Tells the other instances; they apply it as if they had written it. */
  /** Resolves once Redis has passed it on (a failure is logged, not thrown: the write itself succeeded). */
  publish(key: string, entry: WrittenEntry): Promise<void>;
  close(): Promise<void>;
}

/** Wire form: the listing entry travels with the key, so no receiver needs a HEAD of its own. */
interface Message {
  from: string;
  key: string;
  entry: [size: number, etag: string | null, modified: number] | null | 'unknown';
}

/** One channel per lake: instances serving different lakes (or tests on one Redis) never invalidate each other. */
export function catalogChannel(location: LakeLocation): string {
  const lake = location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : `file://${location.directory}`;
  return `lakeql:catalog:${lake}`;
}

/**
 * A subscribing connection can do nothing else, so sync owns two: one publishes, one listens.
 * Messages are fire-and-forget: an instance that misses one (Redis restarting) still catches up
 * within the bound, by its own refresh.
 */
export async function connectCatalogSync(
  url: string,
  channel: string,
  receive: (key: string, entry: WrittenEntry) => void,
  log: (m: string) => void = () => {},
): Promise<CatalogSync> {
  const me = randomUUID();
  const make = () => new Redis(url, { lazyConnect: true, connectTimeout: 10_000, maxRetriesPerRequest: 3 });
  const publisher = make();
  const subscriber = make();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  subscriber.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      const m = JSON.parse(text) as Message;
      if (m.from === me || typeof m.key !== 'string') return;
      const entry = Array.isArray(m.entry)
        ? new FileEntry(m.entry[0], m.entry[1] ?? undefined, m.entry[2])
        : m.entry === null
          ? null
          : 'unknown';
      receive(m.key, entry);
    } catch (error) {
      log(`catalog sync: ignoring a message that is not ours: ${(error as Error).message}`);
    }
  });
  await subscriber.subscribe(channel);
  return {
    async publish(key, entry) {
      const wire: Message['entry'] =
        entry instanceof FileEntry ? [entry.size, entry.etag ?? null, entry.modified] : entry;
      await publisher.publish(channel, JSON.stringify({ from: me, key, entry: wire } satisfies Message)).then(
        () => {},
        (error: Error) => log(`catalog sync: publish failed: ${error.message}`),
      );
    },
    async close() {
      await Promise.all([subscriber, publisher].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
