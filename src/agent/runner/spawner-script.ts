/**
 * The spawner's own program (src/agent/runner/spawner.ts), run as `node -e`: it must run from the built
 * agent and from the sources under test alike, so it is plain JavaScript with nothing to import but Node's
 * own modules. It spawns what the agent asks (argv, never a shell, in the command's own process group),
 * relays output lines, signals the group on request and reports the exit once both output streams end.
 *
 * From the agent: { op: 'spawn', id, file, args, env } and { op: 'kill', id, signal }.
 * To the agent: { op: 'pid', id, pid }, { op: 'line', id, line }, and last
 * { op: 'exit', id, code, signal, signalled } or { op: 'exit', id, error }.
 */
export const SPAWNER_SCRIPT = `'use strict';
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const MAX_LINE = Number(process.argv[1]);
const running = new Map();
const send = (m) => { if (process.connected) process.send(m); };
function start(id, file, args, env) {
  let child;
  try {
    child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, detached: true, env });
  } catch (err) {
    return send({ op: 'exit', id, error: String(err && err.message) });
  }
  const job = { child, exited: false, signalled: false };
  running.set(id, job);
  if (child.pid !== undefined) send({ op: 'pid', id, pid: child.pid });
  const readers = [child.stdout, child.stderr].map((s) => createInterface({ input: s }));
  for (const r of readers) r.on('line', (raw) => send({ op: 'line', id, line: raw.length > MAX_LINE ? raw.slice(0, MAX_LINE + 1) : raw }));
  const closed = Promise.all(readers.map((r) => new Promise((res) => r.once('close', res))));
  child.once('error', (err) => {
    if (!running.delete(id)) return;
    send({ op: 'exit', id, error: String(err.message) });
  });
  child.once('exit', (code, signal) => {
    job.exited = true;
    closed.then(() => {
      if (!running.delete(id)) return;
      send({ op: 'exit', id, code, signal, signalled: job.signalled });
    });
  });
}
function kill(id, signal) {
  const job = running.get(id);
  if (!job || job.exited || job.child.pid === undefined) return;
  job.signalled = true;
  try { process.kill(-job.child.pid, signal); } catch { job.child.kill(signal); }
}
process.on('message', (m) => {
  if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
  if (m.op === 'spawn' && typeof m.file === 'string' && Array.isArray(m.args) && m.env && typeof m.env === 'object') start(m.id, m.file, m.args, m.env);
  else if (m.op === 'kill' && typeof m.signal === 'string') kill(m.id, m.signal);
});
// The agent is gone (it closed the channel or died): nothing more will be asked. Commands still running
// keep running, as they would had the agent spawned them itself; the agent's next start stops them.
process.on('disconnect', () => process.exit(0));
`;
