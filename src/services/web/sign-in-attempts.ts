import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { KeyStore } from './key-store.js';

/**
 * Failed sign-ins per client address in a fixed one-minute window (docs/web.md, "Signing in"), counted
 * in the web view's key store: in Redis every replica behind a load balancer sees the same count, so a
 * client cannot multiply its tries by the number of replicas. A link's token is 256 random bits, so
 * guessing is hopeless anyway; this keeps a misbehaving client from filling logs and the store with tries.
 */
export class SignInAttempts {
  constructor(
    private readonly store: KeyStore,
    private readonly max = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** True while `addr` may try again: a cheap look before any work, which counts nothing. */
  async allowed(addr: string): Promise<boolean> {
    return Number((await this.store.get(keyOf(addr))) ?? 0) < this.max;
  }

  /**
   * Counts a try before it is made, in one step with the check: of a burst of tries at once, at most
   * `max` in a window get true, where a look then a count after each failure let every try of the burst
   * through. A try that succeeds is taken back with `succeeded`, so only failures stay counted.
   */
  async reserve(addr: string): Promise<boolean> {
    return (await this.store.bump(keyOf(addr), this.windowMs)) <= this.max;
  }

  async succeeded(addr: string): Promise<void> {
    await this.store.unbump(keyOf(addr));
  }
}

/** Hashed: an address comes from a header, so its length and characters are the client's choice. */
function keyOf(addr: string): string {
  return `signin-fails:${createHash('sha256').update(counted(addr)).digest('hex')}`;
}

/**
 * What one client is: an IPv4 address (an IPv4-mapped IPv6 one too), or an IPv6 /64, since a host is
 * usually handed a whole /64 and could otherwise start over from each of its addresses (ipaddr.js
 * parses every IPv6 spelling; anything it cannot parse is counted as written).
 */
export function counted(addr: string): string {
  if (!ipaddr.isValid(addr)) return addr;
  const ip = ipaddr.process(addr);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${(ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}
