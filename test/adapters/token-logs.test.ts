import { afterEach, describe, expect, it } from 'vitest';
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

  it('keeps the response_url secret and the verification token of a Socket Mode command out of the debug log', async () => {
    const cap = captureLog('debug');
    const bot: SlackBot = await startSlackBot({ mode: 'socket', log: cap.log });
    stop = () => bot.stop();
    // Slack's own envelope carries both; at debug level the Socket Mode client logs each envelope it receives, whole.
    const payload = {
      token: 'SECRETverificationTOKEN0123',
      team_id: 'T1',
      team_domain: 'example',
      channel_id: 'C7',
      channel_name: 'ops',
      user_id: 'UADMIN',
      user_name: 'alice',
      command: '/help',
      text: '',
      api_app_id: 'A1',
      response_url: bot.slack.responseUrl('SECRETresponseURLpart'),
      trigger_id: 'token-logs-1',
    };
    await bot.slack.sendEnvelope('slash_commands', payload, 'env-token-logs');
    const line = await cap.waitFor(/Received a message on the WebSocket: .*env-token-logs/);
    // The envelope did reach a line (else this guards nothing), with both secrets replaced in place.
    expect(line).toContain(String.raw`\"token\":\"[redacted]\"`);
    expect(line).toContain(String.raw`\"response_url\":\"[redacted]\"`);
    const all = cap.lines.join('');
    expect(all).not.toContain('SECRETresponseURLpart');
    expect(all).not.toContain('SECRETverificationTOKEN');
  });
});
