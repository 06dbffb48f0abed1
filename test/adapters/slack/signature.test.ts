import { createHmac } from 'node:crypto';
import { isValidSlackRequest } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signedBySlack } from '../../../src/adapters/slack/signature.js';

const sign = (secret: string, ts: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

describe('signedBySlack', () => {
  it('agrees with Bolt on signed, re-signed and tampered requests', () => {
    const now = Math.floor(Date.now() / 1000);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.constantFrom('same', 'other secret', 'other body', 'truncated', 'upper case', 'v1', 'empty'),
        (secret, other, body, how) => {
          const good = sign(secret, now, body);
          const signature = {
            same: good,
            'other secret': sign(secret + other, now, body),
            'other body': sign(secret, now, body + other),
            truncated: good.slice(0, -1),
            'upper case': good.toUpperCase(),
            v1: good.replace('v0=', 'v1='),
            empty: '',
          }[how];
          const ours = signedBySlack(secret, String(now), Buffer.from(body), signature);
          const bolt = isValidSlackRequest({ signingSecret: secret, body, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': now } });
          expect(ours).toBe(bolt);
          expect(ours).toBe(how === 'same' || (how === 'upper case' && good === signature));
        },
      ),
    );
  });

  it('covers the body bytes as sent, not a decoded string', () => {
    const body = Buffer.from([0x74, 0x3d, 0xff, 0xfe]);
    const signature = `v0=${createHmac('sha256', 's').update('v0:1:').update(body).digest('hex')}`;
    expect(signedBySlack('s', '1', body, signature)).toBe(true);
    expect(signedBySlack('s', '1', Buffer.from(body.toString('utf8')), signature)).toBe(false);
  });
});
