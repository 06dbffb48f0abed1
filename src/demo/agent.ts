import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import * as zmq from 'zeromq';
import { onPath } from '../agent/child-env.js';
import { AgentServer } from '../agent/server.js';
import { DEFAULT_REF_PATTERN } from '../words/names.js';
import { ZmqDeviceClient } from '../services/devices/client.js';
import { OperatorError } from '../core/errors.js';

const run = promisify(execFile);

const DEMO_DEPLOY = [
  "const ref = process.argv[1];",
  "const steps = ['fetching ' + ref, 'building', 'running tests: 12 passed', 'switching the symlink', 'deployed ' + ref];",
  "let i = 0;",
  "const t = setInterval(() => { console.log(steps[i++]); if (i === steps.length) clearInterval(t); }, 400);",
].join('\n');

export interface DemoAgent {
  readonly client: ZmqDeviceClient;
  readonly drives: readonly { agent: string; drive: string }[];
  close(): Promise<void>;
}

/**
 * The demo's device host, in this process: a real agent on a loopback port with fresh CURVE keys,
 * one virtual drive (an xorriso `stdio:` pseudo-drive, throttled so a burn takes a few seconds)
 * and a generated sample image. Everything lives in a temp dir that `close` removes.
 */
export async function startDemoAgent(log: Logger, opts: { speed?: string; fillerBytes?: number } = {}): Promise<DemoAgent> {
  const root = await mkdtemp(join(tmpdir(), 'opsline-demo-'));
  const imagesDir = join(root, 'images');
  try {
    await mkdir(imagesDir);
    await mkdir(join(root, 'state'));
    await sampleImage(root, join(imagesDir, 'sample.iso'), opts.fillerBytes ?? 4 * 1024 * 1024);
  } catch (err) {
    // Without xorriso (or any other failure here) nothing of the demo may stay behind in /tmp.
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const agent = await AgentServer.start({
    bind: 'tcp://127.0.0.1:*',
    keys: { public: server.publicKey, secret: server.secretKey },
    allowedClients: [client.publicKey],
    imagesDir,
    stateDir: join(root, 'state'),
    // The demo deploy target runs this: a harmless script that prints a few lines, slowly enough to watch.
    commands: { hello: { argv: [process.execPath, '-e', DEMO_DEPLOY, '--', '{ref}'], refPattern: DEFAULT_REF_PATTERN, timeoutSec: 60 } },
    drives: [{ name: 'virtual', device: `stdio:${join(root, 'virtual-drive.img')}`, ...(opts.speed === '' ? {} : { speed: opts.speed ?? '600k' }) }],
    name: 'demo',
    xorriso: onPath('xorriso', process.env.PATH),
    log: log.child({ component: 'demo-agent' }),
  });
  const devices = new ZmqDeviceClient(
    [{ name: 'demo', endpoint: agent.endpoint, serverKey: server.publicKey }],
    { public: client.publicKey, secret: client.secretKey },
    log.child({ service: 'devices' }),
  );
  return {
    client: devices,
    drives: [{ agent: 'demo', drive: 'virtual' }],
    async close() {
      await devices.close();
      await agent.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A small ISO 9660 image with a text file and deterministic filler. */
async function sampleImage(root: string, out: string, fillerBytes: number): Promise<void> {
  const src = join(root, 'sample-src');
  await mkdir(src);
  await writeFile(join(src, 'README.TXT'), 'opsline demo image\n');
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update('opsline').digest();
  for (let i = 0; i < fillerBytes / 32; i++) {
    block = createHash('sha256').update(block).digest();
    chunks.push(block);
  }
  await writeFile(join(src, 'FILLER.BIN'), Buffer.concat(chunks));
  try {
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'OPSLINE_DEMO', '-o', out, src]);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OperatorError('demo_unavailable', missing ? 'xorriso is missing (apt-get install xorriso)' : `could not build the sample image: ${(err as Error).message}`, { cause: err });
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}
