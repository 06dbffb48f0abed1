import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditRecord, AuditSink } from '../core/audit.js';

/** Where a command's name label comes from: a registry path, or `unknown` for anything a caller made up. */
export type KnownCommand = (name: string) => boolean;

/**
 * The bot's Prometheus metrics (prom-client, one Registry per process so tests can build several).
 * Command metrics come from the audit trail, which already holds one record per invocation with its
 * command, outcome and duration; the other gauges are read when Prometheus scrapes (src/metrics/sources.ts).
 * The metric list is in docs/hosting.md.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'opsline_commands_total',
    help: 'Command invocations by command, access decision and outcome',
    labelNames: ['command', 'decision', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly commandSeconds = new Histogram({
    name: 'opsline_command_duration_seconds',
    help: 'Time from receiving a command to its reply',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'opsline_ack_duration_seconds',
    help: 'Time to acknowledge a platform request over HTTP (Slack and Discord allow 3 s)',
    labelNames: ['platform'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5],
    registers: [this.registry],
  });

  // The web view's page views and live job pages: counted here, not audited (docs/web.md).
  readonly webRequests = new Counter({
    name: 'opsline_web_requests_total',
    help: 'Web view requests by page (jobs, job, events, status, audit, sessions, signin, action, static, other)',
    labelNames: ['page'] as const,
    registers: [this.registry],
  });
  readonly webLive = new Gauge({
    name: 'opsline_web_live_connections',
    help: 'Job pages following a job live (server-sent event streams open now)',
    registers: [this.registry],
  });

  constructor(private readonly known: KnownCommand) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which `promtool check metrics` flags; the per-type gauges
    // (nodejs_active_handles, nodejs_active_requests, nodejs_active_resources) carry the same numbers.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(name);
  }

  /** The audit sink that also counts: every invocation is audited exactly once, so each counts once. */
  meterAudit(sink: AuditSink): AuditSink & { readonly pending?: number } {
    const count = (r: AuditRecord) => {
      // Unknown names come from callers: as labels they would let anyone grow the series without bound.
      const command = r.decision !== 'unknown' && this.known(r.command) ? r.command : 'unknown';
      this.commands.inc({ command, decision: r.decision, outcome: r.outcome });
      this.commandSeconds.observe({ command, outcome: r.outcome }, r.durationMs / 1000);
    };
    return {
      write: (r, changes) => {
        count(r);
        return sink.write(r, changes);
      },
      recent: (n) => sink.recent(n),
      search: (q) => sink.search(q),
      flush: () => sink.flush(),
      get pending() {
        return (sink as { pending?: number }).pending;
      },
    };
  }

  /** Prometheus's text exposition format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
