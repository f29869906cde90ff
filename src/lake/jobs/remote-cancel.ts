// Cancelling a job from any instance: a Redis channel carries the request to the instance that runs it.
import type { Redis } from 'ioredis';

/**
 * Why a channel and not a flag in the registry: the running instance must react at once (abort its
 * multipart uploads now), and pub/sub reaches it without polling. A request for a job nobody runs
 * is heard and ignored by every instance.
 */
export class RemoteCancel {
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix = 'lakeql:',
  ) {
    this.channel = `${prefix}jobs:cancel`;
  }

  /** Calls `cancel(id)` for every request any instance publishes (this one's included). */
  async listen(cancel: (id: string) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.channel) cancel(id);
    });
    await this.subscriber.subscribe(this.channel);
  }

  async request(id: string): Promise<void> {
    await this.publisher.publish(this.channel, id);
  }
}
