import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli-child.js';
import { revokerPolicy } from '../../helpers/vault-double.js';
import { ROLE, vaultConfig, vaultTests } from '../../helpers/vault-world.js';

const run = promisify(execFile);
const t = vaultTests();

/** The built `opsline` binary with a config file; never rejects, so exit status and output can be checked. */
async function opsline(args: string[], config: unknown, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args, '--config', t.configFile(config)], { env: { ...process.env, ...env }, timeout: 20_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('the opsline binary', () => {
  it('opsline vault revoke revokes the running bot’s lease and prints the count', async () => {
    const world = await t.world();
    const bot = await t.bot(vaultConfig(world));
    const user = bot.app.mysqlCredentials!.username!;
    const { mysql } = vaultConfig(world);
    // The operator's token comes from the environment, as docs/vault.md shows.
    const r = await opsline(['vault', 'revoke'], { mysql, vault: { addr: world.vault.addr, token: '${VAULT_TOKEN}' } }, { VAULT_TOKEN: world.vault.addToken(revokerPolicy('database', ROLE)) });
    expect(r).toEqual({ code: 0, stdout: `revoked 1 lease under database/creds/${ROLE}\n`, stderr: '' });
    expect(await world.vault.userExists(user)).toBe(false);
  });

  it('opsline start stops with the Vault address and the reason when a token may not read the credentials', async () => {
    const world = await t.world();
    const input = vaultConfig(world, { token: world.vault.addToken([]) });
    const r = await opsline(['start'], { ...input, http: { port: 0, host: '127.0.0.1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`opsline: Vault at ${world.vault.addr} refused read database/creds/${ROLE}: permission denied`);
  });
});
