import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { curveKeyPair } from './curve-keys.js';
import { AgentServer, type AgentOptions } from '../../src/agent/server.js';
import type { DriveConfig } from '../../src/agent/drives.js';
import { ZmqDeviceClient } from '../../src/services/devices/client.js';

export const silent: Logger = pino({ level: process.env.OPSLINE_TEST_LOG ?? 'silent' });

export interface AgentFixture {
  readonly root: string;
  readonly imagesDir: string;
  readonly stateDir: string;
  readonly drives: DriveConfig[];
  readonly serverKeys: { publicKey: string; secretKey: string };
  readonly clientKeys: { publicKey: string; secretKey: string };
  agent: AgentServer | undefined;
  options(extra?: Partial<AgentOptions>): AgentOptions;
  start(extra?: Partial<AgentOptions>): Promise<AgentServer>;
  client(endpoint?: string, keys?: { publicKey: string; secretKey: string }, extra?: { heartbeatMs?: number; requestTimeoutMs?: number }): ZmqDeviceClient;
  cleanup(): Promise<void>;
}

/** Temp dirs, fresh CURVE keys and pseudo-drives for one test file; agents bind a free loopback port. */
export async function agentFixture(driveNames: string[] = ['virtual'], speed?: string): Promise<AgentFixture> {
  const root = await mkdtemp(join(tmpdir(), 'opsline-agent-'));
  const imagesDir = join(root, 'images');
  const stateDir = join(root, 'state');
  await mkdir(imagesDir);
  await mkdir(join(root, 'drives'));
  const drives = driveNames.map((name) => ({ name, device: `stdio:${join(root, 'drives', `${name}.img`)}`, ...(speed ? { speed } : {}) }));
  const clients: ZmqDeviceClient[] = [];
  const f: AgentFixture = {
    root,
    imagesDir,
    stateDir,
    drives,
    serverKeys: curveKeyPair(),
    clientKeys: curveKeyPair(),
    agent: undefined,
    options: (extra = {}) => ({
      bind: 'tcp://127.0.0.1:*',
      keys: { public: f.serverKeys.publicKey, secret: f.serverKeys.secretKey },
      allowedClients: [f.clientKeys.publicKey],
      imagesDir,
      stateDir,
      drives,
      heartbeatMs: 200,
      name: 'test-agent',
      log: silent,
      ...extra,
    }),
    async start(extra) {
      f.agent = await AgentServer.start(f.options(extra));
      return f.agent;
    },
    client(endpoint, keys = f.clientKeys, extra = {}) {
      const ep = endpoint ?? f.agent?.endpoint;
      if (!ep) throw new Error('start the agent first');
      const c = new ZmqDeviceClient(
        [{ name: 'a1', endpoint: ep, serverKey: f.serverKeys.publicKey, heartbeatMs: extra.heartbeatMs ?? 200, requestTimeoutMs: extra.requestTimeoutMs ?? 5_000 }],
        { public: keys.publicKey, secret: keys.secretKey },
        silent,
      );
      clients.push(c);
      return c;
    },
    async cleanup() {
      await Promise.all(clients.map((c) => c.close()));
      await f.agent?.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return f;
}

/** A loopback port that was free a moment ago; for agents that must come back on the same endpoint. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
