import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { vaultConfig, vaultTests, WRITER } from '../helpers/vault-world.js';
import { until } from '../helpers/until.js';

const t = vaultTests();

describe('fault: Vault credential rotation under 200 commands', () => {
  it('rotates at the max TTL while 200 commands run in two concurrent bursts around it: 0 failed, every note stored once', async () => {
    // Renewals are allowed but capped by the 12 s max TTL, so the bot must rotate by itself (docs/vault.md).
    const world = await t.world({ defaultTtlSec: 6, maxTtlSec: 12 });
    const bot = await t.bot(vaultConfig(world));
    const creds = bot.app.mysqlCredentials!;
    const first = creds.username!;
    const rotating = once(creds, 'rotating');
    const rotated = once(creds, 'rotated');
    const run = (from: number) =>
      Promise.all(
        Array.from({ length: 100 }, async (_, k) => {
          const n = from + k;
          const r = await bot.say(WRITER, n % 4 === 0 ? '/note list 3' : `/note add rotation fault ${n}`);
          return r.code === undefined && /saved$|rotation fault|^no notes yet/.test(r.text) ? undefined : `${n}: ${r.text}`;
        }),
      );
    const before = await run(0);
    await rotating;
    // The second burst is issued the moment the swap begins, so its statements straddle the old and new pools.
    const during = await run(100);
    const [event] = (await rotated) as [{ from: string; to: string }];
    expect([...before, ...during].filter(Boolean)).toEqual([]);
    expect(event.from).toBe(first);
    const rows = await world.db.sql<{ n: number; d: number }>("SELECT COUNT(*) AS n, COUNT(DISTINCT body) AS d FROM notes WHERE body LIKE 'rotation fault %'");
    expect(rows[0]).toEqual({ n: 150, d: 150 });
    await until(async () => !(await world.vault.userExists(first)), { what: 'the old user dropped' });
  }, 60_000);
});
