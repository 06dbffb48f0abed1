import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentFixture, freePort, type AgentFixture } from '../../test/helpers/agent-fixture.js';
import { makeIso } from '../../test/helpers/iso.js';
import { redisPrefix } from '../../test/helpers/redis.js';
import { spawnOpsline, stopChild, type Child } from './child.js';

export interface FleetOptions {
  readonly agents: number;
  readonly drivesPerAgent: number;
  /** xorriso's speed for every pseudo-drive; with `imageBytes` it sets how long a burn lasts. */
  readonly speed: string;
  readonly imageBytes: number;
  /** The platform section(s) and access list of the config the bot and the worker share. */
  readonly platform: Record<string, unknown>;
}

/** One burn the harness asks for: `/burn <image> <agent>/<drive>`, and the image's digest. */
export interface Target {
  readonly image: string;
  readonly agent: string;
  readonly drive: string;
  readonly sha256: string;
}

export interface Fleet {
  /** The config the bot (in-process) and the `opsline worker` child share; JSON is YAML. */
  readonly raw: Record<string, unknown>;
  readonly configPath: string;
  readonly targets: readonly Target[];
  startWorker(): Promise<Child>;
  cleanup(): Promise<void>;
}

/**
 * `agents` × `opsline agent` children, each with `drivesPerAgent` stdio pseudo-drives and one ISO of
 * its own, a fresh Redis prefix, and the config the bot and one `opsline worker` child share (in the
 * spirit of test/helpers/burn-world.ts, scaled out).
 */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const drives = Array.from({ length: o.drivesPerAgent }, (_, i) => `d${i + 1}`);
    const fixtures: AgentFixture[] = [];
    for (let i = 0; i < o.agents; i++) {
      const f = await agentFixture(drives, o.speed);
      cleanups.push(() => f.cleanup());
      fixtures.push(f);
    }
    // One client key pair for the bot and the worker, allowed by every agent.
    const client = fixtures[0]!.clientKeys;
    const agents: { name: string; endpoint: string; serverKey: string; heartbeatMs: number }[] = [];
    const targets: Target[] = [];
    for (const [i, f] of fixtures.entries()) {
      const name = `a${i + 1}`;
      const image = `scale-${name}.iso`;
      const path = await makeIso(f.imagesDir, image, { bytes: o.imageBytes });
      const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
      const endpoint = `tcp://127.0.0.1:${await freePort()}`;
      const a = f.options();
      const config = { log: { level: 'info' }, agent: { name, bind: endpoint, keys: a.keys, allowedClients: [client.publicKey], imagesDir: f.imagesDir, stateDir: f.stateDir, drives: f.drives, heartbeatMs: 1000 } };
      const path2 = join(f.root, 'agent.yaml');
      await writeFile(path2, JSON.stringify(config));
      const child = await spawnOpsline(['--config', path2, 'agent'], 'agent listening');
      cleanups.push(() => stopChild(child));
      agents.push({ name, endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 1000 });
      for (const drive of drives) targets.push({ image, agent: name, drive, sha256 });
    }
    const redis = redisPrefix();
    cleanups.push(() => redis.cleanup());
    // Info, as in production: the worker's ready line is an info message, and its logging is part of its cost.
    const raw = {
      log: { level: 'info' },
      ...o.platform,
      agents,
      clientKeys: { public: client.publicKey, secret: client.secretKey },
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: redis.prefix },
    };
    const configPath = join(fixtures[0]!.root, 'opsline.yaml');
    await writeFile(configPath, JSON.stringify(raw));
    return {
      raw,
      configPath,
      targets,
      async startWorker() {
        const w = await spawnOpsline(['--config', configPath, 'worker'], 'opsline worker started');
        cleanups.push(() => stopChild(w));
        return w;
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
