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
});
