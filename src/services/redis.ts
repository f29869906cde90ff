// LAKEQL_REDIS_URL: job snapshots, progress events and cancel requests shared by every instance through Redis.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import { JobQueue, type QueuedWork } from '../lake/jobs/job-queue.js';
import { JobLeases } from '../lake/jobs/leases.js';
import { cancelQueued, QueueSweeper } from '../lake/jobs/queue-endings.js';
import { SharedJobs } from '../lake/jobs/shared-job.js';
import { RedisJobRegistry } from '../lake/jobs/redis-registry.js';
import { RemoteCancel } from '../lake/jobs/remote-cancel.js';
import { REMOTE_CANCEL_WAIT_MS, type QueuedJobs, type TransferDeps, type TransferServices } from './transfers.js';

export interface RedisTransfers {
  /** Registry, event target and remote cancel for createTransferServices. */
  deps: Pick<TransferDeps, 'registry' | 'eventTarget' | 'remoteCancel' | 'leases' | 'queue' | 'subscribed'>;
  /** Starts acting on cancel requests for jobs this instance runs. */
  listen(services: TransferServices): Promise<void>;
  /** The commands connection, shared with whatever else counts in Redis (the rate limiter). */
  client: Redis;
  /** Quits every connection; call after the HTTP server has closed (subscribers first, then Redis). */
  close(): Promise<void>;
}

/** How long start-up waits for Redis before giving up with a message naming the URL's host. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Three connections: commands and publishes; the event target's subscriptions; cancel requests.
 * A subscribing connection can do nothing else, and the event target owns its own one's handler.
 * All three must be ready before the first subscribe, or messages published meanwhile are lost.
 */
export async function connectRedis(
  url: string,
  options: { retainJobs: number; prefix?: string; leaseMs: number; finishedTtlMs: number; workers?: number },
): Promise<RedisTransfers> {
  const make = () => new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 3 });
  // BullMQ's connections block (BZPOPMIN): they must retry forever rather than fail a command.
  const bullConnections: Redis[] = [];
  const bull = () => {
    const connection = new Redis(url, { connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: null });
    bullConnections.push(connection);
    return connection;
  };
  const clients = [make(), make(), make()];
  const [commands, events, control] = clients;
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (error) {
    clients.forEach((c) => c.disconnect());
    throw new Error(`LAKEQL_REDIS_URL: cannot connect to ${redactedUrl(url)}: ${(error as Error).message}`);
  }
  const remoteCancel = new RemoteCancel(commands, control, options.prefix);
  const leases = new JobLeases(commands, { prefix: options.prefix, leaseMs: options.leaseMs });
  const prefix = options.prefix ?? 'lakeql:';
  const registry = new RedisJobRegistry(commands, {
    prefix,
    retainFinished: options.retainJobs,
    finishedTtlMs: options.finishedTtlMs,
    related: (id) => SharedJobs.keysOf(prefix, id),
  });
  const shared = new SharedJobs(commands, {
    prefix,
    finishedTtlMs: options.finishedTtlMs,
    onFinished: () => registry.evict(),
  });
  let queued: (QueuedJobs & { sweeper: QueueSweeper }) | undefined;
  const makeQueue = (work: QueuedWork, abortUploadsOf: (instanceId: string) => Promise<number>): QueuedJobs => {
    const queue = new JobQueue(commands, bull, shared, work, {
      prefix,
      workers: options.workers ?? 2,
      leaseMs: options.leaseMs,
      instanceId: leases.instanceId,
    });
    const endings = { leaseMs: options.leaseMs, abortUploadsOf };
    queued = {
      queue,
      sweeper: new QueueSweeper(queue, commands, prefix, endings),
      cancel: (id) =>
        cancelQueued(queue, commands, prefix, id, {
          ...endings,
          requestAbort: () => remoteCancel.request(id),
          waitMs: REMOTE_CANCEL_WAIT_MS,
        }),
    };
    return queued;
  };
  return {
    deps: {
      registry,
      // Topics name one job by its random id: lakes sharing a Redis never hear each other's.
      eventTarget: createRedisEventTarget({
        publishClient: commands,
        subscribeClient: events,
      }) as unknown as EventTarget,
      remoteCancel,
      leases,
      queue: makeQueue,
      // The event target SUBSCRIBEs without waiting for Redis's answer; a second SUBSCRIBE of the
      // same channel on the same connection is answered after the first one took effect.
      subscribed: async (id) => {
        await events.subscribe(`job:progress:${id}`);
      },
    },
    async listen(services) {
      await remoteCancel.listen((id) => {
        queued?.queue.abortLocal(id);
        void services.jobs.cancel(id).catch(() => {});
      });
      await leases.start((dead) => services.reapDead(dead));
      await queued?.queue.start();
      queued?.sweeper.start();
    },
    client: commands,
    async close() {
      await queued?.sweeper.stop();
      await queued?.queue.close().catch(() => {});
      await Promise.all(bullConnections.map((c) => c.quit().catch(() => c.disconnect())));
      await leases.stop();
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
