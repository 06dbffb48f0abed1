import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { guildPayload, readyPayload } from './discord-payloads.js';

interface Session {
  readonly ws: WebSocket;
  seq: number;
  ready: boolean;
}

/**
 * The gateway side of the Discord double, on `/gateway` of the REST double's server: HELLO, then
 * IDENTIFY → READY and one GUILD_CREATE per guild, heartbeat ACKs, and dispatches pushed by tests.
 */
export class GatewayDouble {
  readonly identifies: Record<string, unknown>[] = [];
  heartbeats = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Set<Session>();
  #readyWaiters: (() => void)[] = [];

  constructor(
    server: Server,
    private readonly url: () => string,
    private readonly guilds: () => readonly { id: string; channels: readonly string[]; roles?: readonly string[] }[],
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(req.url ?? '').startsWith('/gateway')) return socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws));
    });
  }

  /** Resolves once a client has identified and been sent READY and its guilds. */
  whenReady(): Promise<void> {
    if ([...this.#sessions].some((s) => s.ready)) return Promise.resolve();
    return new Promise((r) => this.#readyWaiters.push(r));
  }

  /** Sends a dispatch event (e.g. INTERACTION_CREATE) to every identified session. */
  dispatch(t: string, d: unknown): void {
    for (const s of this.#sessions) if (s.ready) this.#send(s, { op: 0, t, s: ++s.seq, d });
  }

  close(): void {
    for (const s of this.#sessions) s.ws.terminate();
    this.#wss.close();
  }

  #open(ws: WebSocket): void {
    const session: Session = { ws, seq: 0, ready: false };
    this.#sessions.add(session);
    ws.on('close', () => this.#sessions.delete(session));
    ws.on('message', (raw) => this.#receive(session, JSON.parse(String(raw)) as { op: number; d: unknown }));
    this.#send(session, { op: 10, d: { heartbeat_interval: 500 }, s: null, t: null });
  }

  #receive(s: Session, msg: { op: number; d: unknown }): void {
    if (msg.op === 1) {
      this.heartbeats++;
      this.#send(s, { op: 11, d: null, s: null, t: null });
    } else if (msg.op === 2) {
      this.identifies.push(msg.d as Record<string, unknown>);
      const guilds = this.guilds();
      this.#send(s, { op: 0, t: 'READY', s: ++s.seq, d: readyPayload('session-1', this.url(), guilds.map((g) => g.id)) });
      for (const g of guilds) this.#send(s, { op: 0, t: 'GUILD_CREATE', s: ++s.seq, d: guildPayload(g.id, g.channels, g.roles) });
      s.ready = true;
      for (const w of this.#readyWaiters.splice(0)) w();
    }
  }

  #send(s: Session, payload: unknown): void {
    s.ws.send(JSON.stringify(payload));
  }
}
