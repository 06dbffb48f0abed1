import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand } from '../../src/core/define-command.js';
import { reply } from '../../src/core/reply.js';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { captureLog } from '../helpers/log-capture.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('interaction tokens never reach the log', () => {
  it('redacts the Discord interaction token from the URL of a failed REST call', async () => {
    const cap = captureLog();
    const bot: DiscordBot = await startDiscordBot({ mode: 'gateway', log: cap.log });
    stop = () => bot.stop();
    const p = bot.double.interaction({ command: 'help', userId: USERS.admin, token: 'itoken-SECRETinteractionTOKEN-0123456789' });
    // Discord refuses an expired token: the callback fails and the bot logs the failed call.
    bot.double.expireToken(p.token);
    bot.double.gateway.dispatch('INTERACTION_CREATE', p);
    const line = await cap.waitFor(/interaction failed/);
    expect(line).toMatch(/\/interactions\/\d+\/\[redacted\]\/callback/);
    expect(cap.lines.join('')).not.toContain('SECRETinteractionTOKEN');
  });

  it('redacts the secret part of a Slack response_url from a failed late reply', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = defineCommand({ name: 'held', description: 'answers when the test says so', usage: '/held', examples: [], roles: ['viewer'], sideEffects: false, async handler() {
      await gate;
      return reply('late');
    } });
    const cap = captureLog('debug');
    const bot: SlackBot = await startSlackBot({ ackBudgetMs: 50, log: cap.log, extra: [held] });
    stop = () => bot.stop();
    // Shaped like Slack's, on a port where nothing listens, so the late reply fails.
    const url = 'http://127.0.0.1:2/commands/T1/4711/SECRETresponseURLpart';
    const ack = await bot.command('/held', { response_url: url });
    expect(ack.text).toBe('');
    release();
    const line = await cap.waitFor(/late reply through response_url failed/);
    // Bolt 5's respond() errors carry no URL today; this guards every line, at debug level, against one that does.
    expect(line).toMatch(/"invocationId"/);
    expect(cap.lines.join('')).not.toContain('SECRETresponseURLpart');
  });
});
