import * as zmq from 'zeromq';
import type { Logger } from 'pino';
import { WarnLimiter, z85Encode } from '../protocol/index.js';

/** libzmq asks this well-known inproc endpoint, in the socket's own context, to approve each handshake. */
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/**
 * A ZAP (RFC 27) handler that approves a CURVE handshake only when the client's public key is in
 * `allowed`. Without a handler libzmq would accept any key that completes the CURVE handshake.
 */
export class ZapHandler {
  private readonly socket: zmq.Reply;
  private readonly allowed: ReadonlySet<string>;
  // A refused client retries its handshake every reconnect interval: one line a minute per key is enough.
  private readonly refusals: WarnLimiter;
  private loop: Promise<void> | undefined;

  constructor(context: zmq.Context, allowed: readonly string[], private readonly log: Logger) {
    this.socket = new zmq.Reply({ context, linger: 0 });
    this.allowed = new Set(allowed);
    this.refusals = new WarnLimiter(log);
  }

  async start(): Promise<void> {
    await this.socket.bind(ZAP_ENDPOINT);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const [version, requestId, , address, , mechanism, credentials] = frames;
        const key = mechanism?.toString() === 'CURVE' && credentials?.length === 32 ? z85Encode(credentials) : undefined;
        const ok = key !== undefined && this.allowed.has(key);
        if (!ok) this.refusals.warn(`${mechanism?.toString()}:${key ?? ''}`, { address: address?.toString(), mechanism: mechanism?.toString(), clientKey: key }, 'refused a client key that is not in agent.allowedClients');
        else this.log.debug({ address: address?.toString(), clientKey: key }, 'client key accepted');
        await this.socket.send([version ?? '1.0', requestId ?? '', ok ? '200' : '400', ok ? 'OK' : 'client key not allowed', ok ? key : '', '']);
      }
    } catch (err) {
      if (!this.socket.closed) this.log.error({ err }, 'ZAP handler stopped');
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}
