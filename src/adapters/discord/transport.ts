import { ChannelType, Routes, ThreadAutoArchiveDuration } from 'discord.js';
import type { EditOptions, ThreadRef, ThreadTransport } from '../../core/thread.js';
import type { Principal } from '../../core/principal.js';
import type { PacedDiscordRest } from './paced-rest.js';
import { plainBody } from './render.js';
import { createdId } from './rest.js';

/** `discord:<user_id>` → the user id, or undefined for a key of another platform. */
export function discordUserId(key: string): string | undefined {
  return /^discord:(\d+)$/.exec(key)?.[1];
}

/**
 * Thread messages with the bot token. The interaction token dies after 15 minutes, a burn can take
 * longer, and a worker in another process only has the stored ThreadRef, so nothing here uses it.
 * Every call is paced by the bot's shared budget (PacedDiscordRest); a 429 that still comes is
 * waited out and retried by @discordjs/rest.
 */
export class DiscordTransport implements ThreadTransport {
  readonly platform = 'discord';

  constructor(
    private readonly paced: PacedDiscordRest,
    readonly editIntervalMs: number,
  ) {}

  /** A public thread started from the root message (the interaction reply). */
  async createThread(channelId: string, messageId: string, name: string): Promise<string> {
    await this.paced.turn(channelId, 'thread');
    const thread = await this.paced.rest.post(Routes.threads(channelId, messageId), {
      body: { name: threadName(name), auto_archive_duration: ThreadAutoArchiveDuration.OneDay, type: ChannelType.PublicThread },
    });
    return createdId(thread, 'a thread');
  }

  async postReply(ref: ThreadRef, text: string): Promise<string> {
    await this.paced.turn(target(ref), 'post');
    const msg = await this.paced.rest.post(Routes.channelMessages(target(ref)), { body: plainBody(text, { users: requester(ref) }) });
    return createdId(msg, 'a message');
  }

  async editTurn(ref: ThreadRef): Promise<void> {
    await this.paced.turn(target(ref), 'edit');
  }

  async edit(ref: ThreadRef, messageId: string, text: string, opts: EditOptions = {}): Promise<void> {
    if (!opts.turnTaken) await this.paced.turn(target(ref), 'edit');
    await this.paced.rest.patch(Routes.channelMessage(target(ref), messageId), { body: plainBody(text, { users: requester(ref) }) });
  }

  mention(who: Principal): string {
    const id = discordUserId(who.key);
    return id ? `<@${id}>` : `@${who.name}`;
  }
}

/** Without a thread (creation failed, e.g. the command ran inside a thread) messages go to the channel. */
function target(ref: ThreadRef): string {
  return ref.threadId ?? ref.channel;
}

function requester(ref: ThreadRef): string[] {
  const id = discordUserId(ref.requester.key);
  return id ? [id] : [];
}

function threadName(text: string): string {
  const first = (text.split('\n')[0] ?? '').replace(/[*_`~|>]/g, '').trim() || 'opsline job';
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
}
