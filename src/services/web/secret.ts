import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret to hand out (a link's token, a session's cookie): 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of a secret: a store that leaks gives nobody a link or a session. */
export function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two secrets in constant time (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A secret as it may arrive from outside: base64url, the length newSecret makes. */
export const SECRET = /^[A-Za-z0-9_-]{43}$/;
