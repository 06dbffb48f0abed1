import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectedUsers, vaultConfig, vaultTests, WRITER } from '../../helpers/vault-world.js';
import { until } from '../../helpers/until.js';

const t = vaultTests();

const PERMISSION_DENIED = { status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] };

describe('rotation when renewal is refused', () => {
  it('swaps to new credentials with 0 failed commands in a 200-command run across the rotation', async () => {
    // A 6 s TTL puts the renewal at ~4 s, so the run is short.
    const world = await t.world({ defaultTtlSec: 6, maxTtlSec: 60 });
    // The policy no longer allows renewal: the old login still works until its TTL, but cannot be extended.
    world.vault.refuseRenewals = PERMISSION_DENIED;
    // The refusal that starts the rotation is held until the test listens for it, however long the bot takes to start.
    let listening!: () => void;
    world.vault.holdRenewals = new Promise<void>((resolve) => (listening = resolve));
    // The deadline is generous: this test is about the swap, and a loaded CI machine must not turn a slow statement into a failure.
    const config = vaultConfig(world);
    const bot = await t.bot({ ...config, mysql: { ...config.mysql!, timeoutMs: 10_000 } });
    const creds = bot.app.mysqlCredentials!;
    const first = creds.username!;
    const rotating = once(creds, 'rotating');
    const rotated = once(creds, 'rotated');
    listening();

    const users = new Set<string>();
    const failures: string[] = [];
    let issued = 0;
    let adds = 0;
    const worker = async () => {
      while (issued < 200) {
        const n = ++issued;
        // The second half starts as the rotation begins, back to back, so statements are in flight across the swap.
        if (n > 100) await rotating;
        users.add(creds.username!);
        const line = n % 3 === 0 ? '/note list 3' : `/note add rotation run ${n}`;
        if (n % 3 !== 0) adds++;
        const r = await bot.say(WRITER, line);
        // A list may run before any add has (workers race): "no notes yet" is an answer, not a failure.
        if (r.code !== undefined || !/saved$|rotation run|^no notes yet/.test(r.text)) failures.push(`${n}: ${r.text}`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const [event] = (await rotated) as [{ from: string; to: string; drained: number }];

    expect(failures).toEqual([]);
    expect(issued).toBeGreaterThanOrEqual(200);
    expect(event.from).toBe(first);
    expect(users).toEqual(new Set([first, event.to]));
    expect((await world.db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes'))[0]?.n).toBe(adds);
    // The old pool was drained and ended, then its lease revoked: its user is gone from MariaDB.
    await until(async () => !(await world.vault.userExists(first)), { what: 'the old user dropped' });
    expect(await connectedUsers(world.db)).toEqual([event.to]);
  });
});
