import { spawn, type ChildProcess } from 'node:child_process';
import { z } from 'zod';
import { SPAWNER_SCRIPT } from './spawner-script.js';

/** Longest output line relayed whole; a command printing megabytes on one line must not flood the agent or the socket. */
export const MAX_LINE = 2000;

/** How a spawned command ended: its exit (and whether a signal was sent to it while it ran), or why it never ran. */
export type SpawnEnd = { readonly code: number | null; readonly signal: string | null; readonly signalled: boolean } | { readonly error: string };

/** What one command reports, in this order: its pid (once it exists), its output lines, its end (exactly once). */
export interface SpawnEvents {
  pid(pid: number): void;
  line(line: string): void;
  end(end: SpawnEnd): void;
}

/** A command the spawner runs: signals go to its whole process group, and only while it runs. */
export interface Spawned {
  kill(signal: NodeJS.Signals): void;
}

// What the spawner sends, parsed like any input from another process (src/agent/runner/spawner-script.ts).
const id = z.number().int().positive();
const fromSpawner = z.discriminatedUnion('op', [
  z.object({ op: z.literal('pid'), id, pid: z.number().int().positive() }),
  z.object({ op: z.literal('line'), id, line: z.string() }),
  z.object({ op: z.literal('exit'), id, code: z.number().int().nullable().optional(), signal: z.string().nullable().optional(), signalled: z.boolean().optional(), error: z.string().optional() }),
]);

/**
 * Deploy and declared commands are forked by a small process of the agent's own, not by the agent: a fork
 * copies the parent's page tables and the parent then takes a fault on each page it writes, so its cost grows
 * with the parent (measured here: 0.9-1.0 ms from the agent against 0.5 ms from a bare Node process), and the
 * agent's thread is blocked meanwhile. Through the spawner a command costs the agent two small messages and
 * never blocks it. The spawner starts with the agent and again on the next command if it dies; a command it
 * was following when it died is killed (its output has no reader left) and ends failed.
 */
export class Spawner {
  private child: ChildProcess | undefined;
  private lastId = 0;
  private readonly running = new Map<number, { readonly events: SpawnEvents; pid?: number }>();
  private closed = false;

  /** Starts the spawner now rather than on the first command (which would wait for Node to start). */
  warm(): void {
    this.helper();
  }

  /** Runs `file` with `args` and exactly `env`, stdin closed, in a process group of its own; events follow. */
  spawn(file: string, args: readonly string[], env: Readonly<Record<string, string>>, events: SpawnEvents): Spawned {
    const helper = this.helper();
    const id = ++this.lastId;
    this.running.set(id, { events });
    // While a command runs the agent waits for its end; idle, the spawner does not keep the agent's process up.
    helper.channel?.ref();
    helper.send({ op: 'spawn', id, file, args, env });
    return { kill: (signal) => void (this.running.has(id) && this.child?.send({ op: 'kill', id, signal })) };
  }

  /** Once every job has ended (the agent's graceful stop): the spawner exits when its channel closes. */
  close(): void {
    this.closed = true;
    if (this.child?.connected) this.child.disconnect();
    this.child = undefined;
  }

  private helper(): ChildProcess {
    if (this.child) return this.child;
    if (this.closed) throw new Error('the agent is stopping: its spawner is closed');
    // Nothing of the agent's environment (its keys) and none of its Node options reach the spawner.
    const child = spawn(process.execPath, ['-e', SPAWNER_SCRIPT, String(MAX_LINE)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: {}, serialization: 'json' });
    child.on('message', (m: unknown) => this.receive(m));
    // A send to a spawner that has just died fails here; its exit (below) ends what it was running.
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => this.lost(child, `the agent's spawner process exited (${signal ?? `code ${code}`})`));
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }

  private receive(raw: unknown): void {
    const m = fromSpawner.safeParse(raw);
    if (!m.success) return;
    const r = this.running.get(m.data.id);
    if (!r) return;
    const msg = m.data;
    if (msg.op === 'pid') {
      r.pid = msg.pid;
      return r.events.pid(msg.pid);
    }
    if (msg.op === 'line') return r.events.line(msg.line);
    this.running.delete(msg.id);
    if (this.running.size === 0) this.child?.channel?.unref();
    r.events.end(msg.error !== undefined ? { error: msg.error } : { code: msg.code ?? null, signal: msg.signal ?? null, signalled: msg.signalled ?? false });
  }

  /** The spawner died: what it was following is killed (nothing reads its output now) and ends failed. */
  private lost(child: ChildProcess, why: string): void {
    if (this.child === child) this.child = undefined;
    const left = [...this.running.values()];
    this.running.clear();
    for (const r of left) {
      try {
        if (r.pid !== undefined) process.kill(-r.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      r.events.end({ error: why });
    }
  }
}
