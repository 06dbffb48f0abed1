import { expect, it } from 'vitest';
import { jobsPage } from '../../../src/adapters/web/pages/views.js';
import type { WebJob } from '../../../src/adapters/web/pages/jobs.js';

const who = { name: 'alice', key: 'console:alice', csrf: 'c'.repeat(43) };
const ended = (id: string, more: Partial<WebJob>): WebJob => ({ kind: 'deploy', id, state: 'failed', summary: 's', requester: 'olga', requestedAt: '2026-12-06T00:00:00Z', startedAt: 0, endedAt: 1000, ok: false, ...more });

// The history says how each recorded job ended (docs/web.md, "Job history and output"): a cancelled,
// never-queued or lost job is not shown as failed; a job only its queue knows reads ok or not ok.
it('names each recorded outcome, and falls back to ok / not ok without one', () => {
  const page = String(
    jobsPage(who, [], [
      ended('j-ok', { state: 'finished', ok: true, outcome: 'ok' }),
      ended('j-failed', { outcome: 'failed' }),
      ended('j-cancelled', { outcome: 'cancelled' }),
      ended('j-notq', { outcome: 'not_queued' }),
      ended('j-lost', { outcome: 'lost' }),
      ended('j-queue', {}),
    ]),
  );
  const shown = [...page.matchAll(/<a href="\/web\/jobs\/([^"]+)">[^<]*<\/a><\/td><td>deploy<\/td><td class="(ok|bad)">([^<]*)<\/td>/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  expect(shown).toEqual(['j-ok ok ok', 'j-failed bad failed', 'j-cancelled bad cancelled', 'j-notq bad not queued', 'j-lost bad worker lost', 'j-queue bad not ok']);
});
