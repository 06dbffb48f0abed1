import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('redacts secret-looking keys at any depth and scrubs substituted secret values everywhere', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', secrets: ['s3cr3t-signing', 'xoxb-123-456'], destination });
    const child = log.child({ invocationId: 'i1', platform: 'slack', command: 'status', principal: 'slack:T1:U1' });
    child.info({ slack: { botToken: 'xoxb-123-456', signingSecret: 'whatever' }, password: 'p', nested: { deeper: { token: 't' } } }, 'config');
    child.warn(`request failed with header Bearer xoxb-123-456 and secret s3cr3t-signing`);
    child.error({ err: new Error('bad signature for s3cr3t-signing') }, 'failed');
    const all = lines.join('');
    expect(all).not.toContain('xoxb-123-456');
    expect(all).not.toContain('s3cr3t-signing');
    expect(all).not.toContain('"whatever"');
    expect(all).not.toContain('"p"');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ invocationId: 'i1', platform: 'slack', command: 'status', principal: 'slack:T1:U1' });
    expect(first.slack).toEqual({ botToken: '[redacted]', signingSecret: '[redacted]' });
    expect(first.password).toBe('[redacted]');
    expect(first.nested).toEqual({ deeper: { token: '[redacted]' } });
    expect(JSON.parse(lines[1]!).msg).toBe('request failed with header Bearer [redacted] and secret [redacted]');
  });

  it('redacts secret-named keys deeper than the redact paths, and tokens it was never told about', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    log.warn({ err: { original: { config: { headers: { Authorization: 'Bearer abcdefghijklmnop' } } } }, a: { b: { c: { d: { token: 'tok-1234567' } } } } }, 'web api failed');
    log.warn('retrying with xoxb-1111-2222-abcdef and Bot MTIzNDU2Nzg5MDEy.abc and an xapp-1-A0-123456 app token');
    const all = lines.join('');
    for (const leaked of ['abcdefghijklmnop', 'tok-1234567', 'xoxb-1111', 'MTIzNDU2Nzg5MDEy', 'xapp-1-A0']) expect(all).not.toContain(leaked);
    const first = JSON.parse(lines[0]!) as { err: { original: { config: { headers: Record<string, string> } } }; a: unknown };
    expect(first.err.original.config.headers.Authorization).toBe('[redacted]');
    expect(first.a).toEqual({ b: { c: { d: { token: '[redacted]' } } } });
    expect(JSON.parse(lines[1]!).msg).toBe('retrying with [redacted] and Bot [redacted] and an [redacted] app token');
  });

  it('redacts interaction tokens and response_url secrets inside URLs, and response_url values', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const discord = 'https://discord.com/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb246MTIz.abc-_9/messages/@original';
    const callback = 'https://discord.com/api/v10/interactions/1200000000000000003/aW50ZXJhY3Rpb246OTk5.xyz/callback';
    const slack = 'https://hooks.slack.com/commands/T0123ABCD/7006012345678/Zk3kd9Qx1mNoPqRs';
    log.error({ err: { url: discord, message: `PATCH ${discord} failed` } }, `callback ${callback} failed`);
    log.warn({ response_url: slack, note: `late reply to ${slack.replace('commands', 'actions')}` }, 'late reply failed');
    const all = lines.join('');
    for (const leaked of ['aW50ZXJhY3Rpb246MTIz', 'aW50ZXJhY3Rpb246OTk5', 'Zk3kd9Qx1mNoPqRs']) expect(all).not.toContain(leaked);
    const first = JSON.parse(lines[0]!) as { err: { url: string }; msg: string };
    expect(first.err.url).toBe('https://discord.com/api/v10/webhooks/1100000000000000001/[redacted]/messages/@original');
    expect(first.msg).toBe('callback https://discord.com/api/v10/interactions/1200000000000000003/[redacted]/callback failed');
    const second = JSON.parse(lines[1]!) as { response_url: string; note: string };
    expect(second.response_url).toBe('[redacted]');
    expect(second.note).toBe('late reply to https://hooks.slack.com/actions/T0123ABCD/[redacted]');
  });

  it('redacts secret-named keys in JSON that was logged as a string, and nothing after them', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'debug', destination });
    const envelope = { envelope_id: 'e1', payload: { token: 'vt-"quoted"-\\back\\', response_url: 'https://hooks.slack.com/commands/T1/7/Zk3kd9Qx', text: 'kept' } };
    // As a library logs a frame it received: raw, here with slashes escaped as some JSON writers do.
    log.debug(`Received a message on the WebSocket: ${JSON.stringify(envelope).replaceAll('/', '\\/')}`);
    expect(lines.join('')).not.toMatch(/vt-|Zk3kd9Qx/);
    const msg = (JSON.parse(lines[0]!) as { msg: string }).msg;
    const logged = JSON.parse(msg.slice(msg.indexOf('{'))) as unknown;
    expect(logged).toEqual({ envelope_id: 'e1', payload: { token: '[redacted]', response_url: '[redacted]', text: 'kept' } });
  });
});
