// The pub/sub job snapshots travel on: in-process by default, any EventTarget (Redis, with several instances) when given one.
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { JobSnapshot } from '../lake/jobs/types.js';

export type JobEvents = PubSub<{ 'job:progress': [jobId: string, snapshot: JobSnapshot] }>;

/**
 * Topics are `job:progress:<id>`, so a subscriber hears one job only. Snapshots are plain JSON
 * (times in epoch ms), which is what lets `@graphql-yoga/redis-event-target` carry them between
 * instances unchanged.
 */
export function createJobEvents(eventTarget?: EventTarget): JobEvents {
  return createPubSub<{ 'job:progress': [jobId: string, snapshot: JobSnapshot] }>(
    eventTarget ? { eventTarget: eventTarget as never } : undefined,
  );
}
