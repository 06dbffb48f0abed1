import { z } from 'zod';
import type { Principal } from '../../core/principal.js';
import type { KeyStore } from './key-store.js';
import { SECRET, hashOf, newSecret } from './secret.js';

/** How long a sign-in link from `/web` may be used (docs/web.md). */
export const LINK_TTL_MS = 5 * 60_000;

const linkSchema = z.strictObject({ key: z.string().min(1).max(200), name: z.string().max(200), guild: z.string().max(40).optional(), at: z.number() });
export type LinkGrant = z.infer<typeof linkSchema>;

/**
 * One-time sign-in links: `/web` in any adapter issues one for its caller; only a POST spends it
 * (a chat client that fetches the link for a preview spends nothing). Stored by hash, taken atomically.
 */
export class SignInLinks {
  constructor(
    private readonly store: KeyStore,
    private readonly now: () => number,
  ) {}

  /** A new token for `who`; the link carries it, the store only its hash. */
  async issue(who: Principal): Promise<string> {
    const token = newSecret();
    const grant: LinkGrant = { key: who.key, name: who.name, ...(who.guild ? { guild: who.guild } : {}), at: this.now() };
    await this.store.put(`link:${hashOf(token)}`, JSON.stringify(grant), LINK_TTL_MS);
    return token;
  }

  /** True while the token may still be spent (the GET page says so; it spends nothing). */
  async usable(token: string): Promise<boolean> {
    return SECRET.test(token) && (await this.store.get(`link:${hashOf(token)}`)) !== undefined;
  }

  /** Spends the token: its grant once, undefined for a token unknown, used or expired. */
  async take(token: string): Promise<LinkGrant | undefined> {
    if (!SECRET.test(token)) return undefined;
    const raw = await this.store.take(`link:${hashOf(token)}`);
    if (raw === undefined) return undefined;
    const parsed = linkSchema.safeParse(JSON.parse(raw));
    // The store's own expiry is the rule; this guards a store whose clock disagrees.
    return parsed.success && this.now() - parsed.data.at <= LINK_TTL_MS ? parsed.data : undefined;
  }
}
