import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's v0 request signature: `v0=` and the hex HMAC-SHA256 of `v0:<timestamp header>:<body
 * bytes>` under the signing secret, compared in constant time. Bolt's own check does the same
 * through tsscmp, which draws random bytes and computes two more HMACs per request; this is called
 * for every slash command, so it uses Node's timingSafeEqual instead. The timestamp window is the
 * caller's (src/adapters/slack/http-receiver.ts).
 */
export function signedBySlack(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
