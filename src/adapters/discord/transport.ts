import { ChannelType, Routes, ThreadAutoArchiveDuration } from 'discord-api-types/v10';
import { finalLine, plainText, type Message } from '../../core/message.js';
import type { Principal } from '../../core/principal.js';
import type { EditOptions, ThreadRef, ThreadTransport } from '../../core/thread.js';
import type { PacedDiscordRest } from './paced-rest.js';
import { splitText } from '../../core/split.js';
import { discordText, MAX_CONTENT, messageBody, plainBody, type MessageBody } from './render.js';
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

  /**
   * A public thread started from the root message (the interaction reply). Its name is plain text,
   * where Discord renders no mention: a mention is written as the display name.
   */
  async createThread(channelId: string, messageId: string, name: Message): Promise<string> {
    await this.paced.turn(channelId, 'thread');
    const thread = await this.paced.rest.post(Routes.threads(channelId, messageId), {
      body: { name: threadName(name), auto_archive_duration: ThreadAutoArchiveDuration.OneDay, type: ChannelType.PublicThread },
    });
    return createdId(thread, 'a thread');
  }

  /** A reply longer than one message goes as numbered messages; the first one's id is the reply's. */
  async postReply(ref: ThreadRef, text: Message): Promise<string> {
    const [first = '', ...rest] = splitText(discordText(text), MAX_CONTENT);
    const id = await this.postBody(target(ref), messageBody(first, { users: requester(ref) }));
    for (const part of rest) await this.postBody(target(ref), messageBody(part, { users: requester(ref) }));
    return id;
  }

  /** A channel message that mentions the requester (a job whose thread root was lost: src/jobs/unqueued.ts). */
  async postChannel(channel: string, who: Principal, text: Message): Promise<string> {
    const [first = ''] = splitText(discordText(finalLine(who, text)), MAX_CONTENT);
    return this.postBody(channel, messageBody(first, { users: mentioned(who) }));
  }

  /** Posts a rendered body (one part of a long reply) with the bot token, paced; returns its id. */
  async postBody(channelId: string, body: MessageBody): Promise<string> {
    await this.paced.turn(channelId, 'post');
    return createdId(await this.paced.rest.post(Routes.channelMessages(channelId), { body }), 'a message');
  }

  async editTurn(ref: ThreadRef): Promise<void> {
    await this.paced.turn(target(ref), 'edit');
  }

  async edit(ref: ThreadRef, messageId: string, text: Message, opts: EditOptions = {}): Promise<void> {
    if (!opts.turnTaken) await this.paced.turn(target(ref), 'edit');
    await this.paced.rest.patch(Routes.channelMessage(target(ref), messageId), { body: plainBody(text, { users: requester(ref) }) });
  }
}

/** Without a thread (creation failed, e.g. the command ran inside a thread) messages go to the channel. */
function target(ref: ThreadRef): string {
  return ref.threadId ?? ref.channel;
}

function requester(ref: ThreadRef): string[] {
  return mentioned(ref.requester);
}

function mentioned(who: Principal): string[] {
  const id = discordUserId(who.key);
  return id ? [id] : [];
}

function threadName(m: Message): string {
  const first = (plainText(m).split('\n')[0] ?? '').replace(/[*_`~|>]/g, '').trim() || 'opsline job';
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
}
