import { z } from 'zod';
import type { KeyStore } from './key-store.js';
import { SECRET, hashOf, newSecret } from './secret.js';

const sessionSchema = z.strictObject({
  key: z.string().min(1).max(200),
  name: z.string().max(200),
  guild: z.string().max(40).optional(),
  csrf: z.string(),
  createdAt: z.number(),
  seenAt: z.number(),
});

export interface WebSession extends z.infer<typeof sessionSchema> {
  /** The hash of the cookie's secret: how pages name a session (to end it); never the secret itself. */
  readonly id: string;
}

export interface SessionTimes {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  readonly maxMs: number;
}

const ALL = 'sessions';

/**
 * Web sessions (docs/web.md): the cookie holds a secret, the store its hash; idle and absolute expiry;
 * an index per principal and one of all, so a user ends their own sessions and an admin anyone's.
 */
export class WebSessions {
  constructor(
    private readonly store: KeyStore,
    private readonly times: SessionTimes,
    private readonly now: () => number,
  ) {}

  /** Starts a session; returns the cookie's secret and the session. */
  async start(who: { key: string; name: string; guild?: string }): Promise<{ secret: string; session: WebSession }> {
    const secret = newSecret();
    const at = this.now();
    const body = { key: who.key, name: who.name, ...(who.guild ? { guild: who.guild } : {}), csrf: newSecret(), createdAt: at, seenAt: at };
    const id = hashOf(secret);
    await this.store.put(`session:${id}`, JSON.stringify(body), this.times.idleMs);
    await this.store.addMember(`${ALL}:${who.key}`, id, this.times.maxMs);
    await this.store.addMember(ALL, id, this.times.maxMs);
    return { secret, session: { ...body, id } };
  }

  /** The live session behind a cookie's secret, marked as used now; undefined when unknown or expired. */
  async resume(secret: string): Promise<WebSession | undefined> {
    if (!SECRET.test(secret)) return undefined;
    const id = hashOf(secret);
    const s = await this.#load(id);
    if (!s) return undefined;
    const at = this.now();
    const left = s.createdAt + this.times.maxMs - at;
    if (left <= 0 || at - s.seenAt > this.times.idleMs) {
      await this.end(id);
      return undefined;
    }
    const { id: _id, ...body } = { ...s, seenAt: at };
    await this.store.put(`session:${id}`, JSON.stringify(body), Math.min(this.times.idleMs, left));
    return { ...body, id };
  }

  async #load(id: string): Promise<WebSession | undefined> {
    const raw = await this.store.get(`session:${id}`);
    if (raw === undefined) return undefined;
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { ...parsed.data, id } : undefined;
  }

  /** Every live session (admins), or those of one principal; expired index entries are dropped. */
  async list(principalKey?: string): Promise<WebSession[]> {
    const index = principalKey === undefined ? ALL : `${ALL}:${principalKey}`;
    const out: WebSession[] = [];
    for (const id of await this.store.members(index)) {
      const s = await this.#load(id);
      if (s) out.push(s);
      else await this.store.removeMember(index, id);
    }
    return out.sort((a, b) => b.seenAt - a.seenAt);
  }

  /** Ends one session by its id (the hash); true when it was live. */
  async end(id: string): Promise<boolean> {
    const s = await this.#load(id);
    await this.store.del(`session:${id}`);
    await this.store.removeMember(ALL, id);
    if (s) await this.store.removeMember(`${ALL}:${s.key}`, id);
    return s !== undefined;
  }
}
