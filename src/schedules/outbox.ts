import type { Logger } from 'pino';
import type { PostTarget } from '../config/schedules.js';
import { printableReply } from '../core/printable.js';
import type { ChannelPoster, Clock, Outbox, Post } from './types.js';
import { fill, OPERATOR_ERRORS } from '../core/error-catalogue.js';
import { OperatorError } from '../core/errors.js';

/** Posters by platform: the ones this process can post with. */
export class ChannelPosters {
  readonly #byPlatform = new Map<string, ChannelPoster>();

  add(p: ChannelPoster): void {
    // A post may carry text from outside (a job's error from its agent, config names): no control
    // character reaches a channel or a console as it is (src/core/printable.ts).
    this.#byPlatform.set(p.platform, { platform: p.platform, post: (channel, post) => p.post(channel, { ...post, reply: printableReply(post.reply) }) });
  }

  get(platform: string): ChannelPoster | undefined {
    return this.#byPlatform.get(platform);
  }

  platforms(): ReadonlySet<string> {
    return new Set(this.#byPlatform.keys());
  }
}

/**
 * Delivers a post with this process's poster for the platform, or hands it to the clock, which
 * queues it for a process that has one (with Redis). The only place that chooses a route, so a
 * general relay between processes can take over here later.
 */
export class RoutingOutbox implements Outbox {
  constructor(
    private readonly posters: ChannelPosters,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async deliver(target: PostTarget, post: Post): Promise<void> {
    const local = this.posters.get(target.platform);
    if (local) return local.post(target.channel, post);
    if (await this.clock.handOffPost(target, post)) {
      this.log.info({ platform: target.platform }, 'no poster for this platform here; handed the post to a process that has one');
      return;
    }
    throw new OperatorError('post_unroutable', fill(OPERATOR_ERRORS.post_unroutable.text, { platform: target.platform }));
  }
}
