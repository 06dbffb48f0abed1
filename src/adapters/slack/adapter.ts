import { App, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { HttpServer } from '../../http/server.js';
import type { Adapter, DispatchFn } from '../types.js';
import { boltLogger } from './bolt-logger.js';
import { createSlackTransport, slackClientOptions } from './client.js';
import { handleCommand, runCommand, type CommandDeps, type CommandIO } from './command.js';
import { APPROVE_ACTION, CONFIRM_ACTION, handleConfirmAction } from './confirm-action.js';
import { EVENTS_PATH } from './events-path.js';
import { MountedReceiver, type DirectIO } from './http-receiver.js';
import { blockActions, firstIssue, type BlockActionsIn } from './inbound.js';
import { commandRenamer, umbrellaClash } from './names.js';
import { RecentKeys, type SeenKeys } from '../../services/seen-keys.js';
import type { SlackTransport } from './transport.js';
import type { RateBudget } from '../../services/budget/budget.js';
import { ConfigError } from '../../config/load.js';

export type SlackConfig = NonNullable<Config['slack']>;

export interface SlackAdapterOptions {
  readonly config: SlackConfig;
  readonly http: HttpServer;
  readonly log: Logger;
  /** Registry command names: reply text that mentions them gets the configured prefix. */
  readonly commandNames?: readonly string[];
  /** The config's declared commands, so a clash with the umbrella names their key. */
  readonly declared?: readonly { readonly name: string }[];
  /** Default 2000 ms after arrival: Slack allows 3 s from its side, and the network needs some of it. */
  readonly ackBudgetMs?: number;
  /** Socket Mode reconnects by itself in production; tests turn it off to stop cleanly. */
  readonly autoReconnect?: boolean;
  /** Where trigger ids are remembered; default this process's memory (Redis when configured: every replica). */
  readonly seen?: SeenKeys;
  /** Paces chat calls under Slack's limits: the app's (`app.budget`), shared with workers through Redis. */
  readonly budget: RateBudget;
}

/**
 * Slack over HTTP (the bot's HTTP server at /slack/events) or Socket Mode (Bolt's own WebSocket
 * client). Slash commands and Confirm/Approve presses are handled. Over HTTP, MountedReceiver
 * verifies the signature and reads the body, then calls #track and #press directly (Bolt answers
 * url_verification); over Socket Mode, Bolt's listeners call them once the body is read strictly.
 */
export class SlackAdapter implements Adapter {
  readonly name = 'slack';
  readonly transport: SlackTransport;
  readonly #app: App;
  readonly #socket: SocketModeReceiver | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #seen: SeenKeys;
  #connected = false;
  #dispatch: DispatchFn | undefined;
  #rename: (text: string) => string = (t) => t;

  constructor(private readonly opts: SlackAdapterOptions) {
    const { config: cfg, log } = opts;
    this.#seen = opts.seen ?? new RecentKeys();
    const logger = boltLogger(log);
    const clientOptions = slackClientOptions(cfg, logger);
    let receiver: Receiver;
    if (cfg.mode === 'socket') {
      if (!cfg.appToken) throw new Error('slack.appToken is required in socket mode');
      this.#socket = new SocketModeReceiver({
        appToken: cfg.appToken,
        logger,
        autoReconnectEnabled: opts.autoReconnect ?? true,
        installerOptions: { clientOptions },
      });
      receiver = this.#socket;
    } else {
      const mounted = new MountedReceiver(cfg.signingSecret, logger, log, this.#seen, {
        command: (body, io) => this.#track(io, (deps) => runCommand(deps, body, io)),
        action: (body, io) => this.#press(body, io),
      });
      opts.http.route('POST', EVENTS_PATH, mounted.handle);
      receiver = mounted;
    }
    this.#app = new App({
      receiver,
      socketMode: cfg.mode === 'socket',
      // A fixed authorize (instead of `token`) keeps Bolt from calling auth.test on events.
      authorize: async () => ({ botToken: cfg.botToken }),
      clientOptions,
      logger,
      ignoreSelf: false,
      // Nothing here reads context.conversation; Bolt's default store rejects (an Error with a
      // stack) on every command in a channel it has not seen, which costs more than the dispatch.
      convoStore: false,
    });
    const rename = commandRenamer(cfg.commandPrefix, opts.commandNames ?? []);
    this.#rename = rename;
    // The umbrella is routed first: sharing a name with a command would make that command unreachable.
    const clash = umbrellaClash(cfg.commandPrefix, cfg.umbrellaCommand, opts.commandNames ?? [], opts.declared);
    if (clash) throw new ConfigError('config', [clash]);
    this.transport = createSlackTransport(cfg, log, opts.commandNames ?? [], opts.budget);
    this.#app.error(async (err) => log.error({ err }, 'slack listener failed'));
    // Socket Mode only: over HTTP no command or press reaches Bolt's listeners (the receiver calls #track and #press).
    this.#app.command(/^\//, async ({ command, ack, respond, context }) => {
      // Bolt awaits nothing slow before this listener (authorize is fixed): the envelope arrived now.
      const io = { ack, respond, retryNum: context.retryNum, arrivedAt: Date.now() };
      await this.#track(io, (deps) => handleCommand(deps, { ...io, command }));
    });
    // Confirm buttons arrive on the same verified endpoint (or socket) as slash commands.
    this.#app.action({ type: 'block_actions', action_id: new RegExp(`^(${CONFIRM_ACTION}|${APPROVE_ACTION})$`) }, async ({ ack, body, respond }) => {
      // Socket Mode bodies reach here unchecked (HTTP ones were read by the receiver already).
      const press = blockActions.safeParse(body);
      if (press.success) return this.#press(press.data, { ack: () => ack(), respond, retryNum: undefined, arrivedAt: Date.now() });
      await ack();
      log.warn({ reason: firstIssue(press.error) }, 'refused a malformed button press');
    });
  }

  /** Runs one command with the adapter's deps, kept in flight for stop(); between stop() and the exit it says so instead. */
  async #track(io: CommandIO, run: (deps: CommandDeps) => Promise<void>): Promise<void> {
    const dispatch = this.#dispatch;
    if (!dispatch) return io.ack({ response_type: 'ephemeral', text: 'opsline is restarting; try again in a moment' });
    const { config: cfg, log } = this.opts;
    const p = run({ dispatch, transport: this.transport, seen: this.#seen, prefix: cfg.commandPrefix, umbrella: cfg.umbrellaCommand, rename: this.#rename, log, ackBudgetMs: this.opts.ackBudgetMs ?? 2000 });
    this.#inFlight.add(p);
    await p.finally(() => this.#inFlight.delete(p));
  }

  /**
   * A button press, acked before anything is awaited (the replay check in Redis included): Confirm
   * and Approve buttons run their code; other presses change nothing.
   */
  async #press(body: BlockActionsIn, io: DirectIO): Promise<void> {
    await io.ack();
    const action = body.actions[0];
    if (!this.#dispatch || action?.type !== 'button' || (action.action_id !== CONFIRM_ACTION && action.action_id !== APPROVE_ACTION)) return;
    if (io.fresh && !(await io.fresh())) return this.opts.log.info('replayed Slack request ignored');
    const run = handleConfirmAction({ dispatch: this.#dispatch, transport: this.transport, seen: this.#seen, rename: this.#rename, log: this.opts.log }, body, io.respond);
    this.#inFlight.add(run);
    await run.finally(() => this.#inFlight.delete(run));
  }

  async start(dispatch: DispatchFn): Promise<void> {
    this.#dispatch = dispatch;
    if (this.#socket) {
      const client = this.#socket.client;
      client.on('connected', () => (this.#connected = true));
      for (const down of ['disconnected', 'reconnecting']) client.on(down, () => (this.#connected = false));
      this.opts.http.readyCheck('slack', async () => (this.#connected ? undefined : 'socket mode is not connected'));
    }
    await this.#app.start();
  }

  /** Stops taking commands, then waits (at most 10 s) for late replies already under way. */
  async stop(): Promise<void> {
    this.#dispatch = undefined;
    await this.#app.stop();
    const pending = Promise.allSettled([...this.#inFlight]);
    await Promise.race([pending, new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.#seen.close?.();
  }
}
