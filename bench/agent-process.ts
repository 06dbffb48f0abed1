import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { curveKeyPair } from '../test/helpers/curve-keys.js';
import type { DriveConfig } from '../src/agent/drives.js';
import { ZmqDeviceClient } from '../src/services/devices/client.js';
import { freePort } from '../test/helpers/agent-fixture.js';
import { startCli } from '../test/helpers/cli-child.js';

export interface AgentProcess {
  /** A client with its own key, as the worker's, to the agent named `name`. */
  readonly client: ZmqDeviceClient;
  /** What a bot's config needs to reach it (`agents[]` and `clientKeys`): a bot in another thread builds its own client. */
  readonly ref: { readonly name: string; readonly endpoint: string; readonly serverKey: string };
  readonly clientKeys: { readonly public: string; readonly secret: string };
  close(): Promise<void>;
}

/**
 * `opsline agent` in its own process, as deployed (a device host is another machine), on a free
 * loopback port with fresh CURVE keys, in a temp dir that `close` removes. `prepare` fills
 * `<dir>/images` before the agent starts; `drives` gives its drives (pseudo-drives under `<dir>`);
 * `commands` its `agent.commands` (docs/agent.md, "Declared commands").
 */
export async function startAgentProcess(name: string, drives: (dir: string) => DriveConfig[], prepare: (dir: string) => Promise<unknown> = async () => undefined, commands: Record<string, unknown> = {}): Promise<AgentProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-bench-agent-'));
  await mkdir(join(dir, 'images'));
  await prepare(dir);
  const server = curveKeyPair();
  const keys = curveKeyPair();
  const endpoint = `tcp://127.0.0.1:${await freePort()}`;
  const agent = { name, bind: endpoint, keys: { public: server.publicKey, secret: server.secretKey }, allowedClients: [keys.publicKey], imagesDir: join(dir, 'images'), stateDir: join(dir, 'state'), drives: drives(dir), commands };
  await writeFile(join(dir, 'agent.yaml'), JSON.stringify({ log: { level: 'info' }, agent }));
  const child = await startCli(['--config', join(dir, 'agent.yaml'), 'agent'], 'agent listening');
  const client = new ZmqDeviceClient([{ name, endpoint, serverKey: server.publicKey }], { public: keys.publicKey, secret: keys.secretKey }, pino({ level: 'silent' }));
  return {
    client,
    ref: { name, endpoint, serverKey: server.publicKey },
    clientKeys: { public: keys.publicKey, secret: keys.secretKey },
    async close() {
      await client.close();
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
