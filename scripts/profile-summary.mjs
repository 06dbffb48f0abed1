// Summarises a V8 .cpuprofile (node --cpu-prof): busy time, and the functions with the most self and
// inclusive time, per request (docs/testing.md, "Per-command cost").
//   node scripts/profile-summary.mjs FILE --count N [--top 40]
//   node scripts/profile-summary.mjs FILE --rate R --from FUNCTION [--skip-ms 1000]
// With --from, only samples from the first one whose stack holds FUNCTION (plus --skip-ms of warm-up)
// to the last such are counted, and the requests are R per second of that window.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: o, positionals } = parseArgs({ allowPositionals: true, options: { count: { type: 'string' }, rate: { type: 'string' }, from: { type: 'string' }, 'skip-ms': { type: 'string' }, top: { type: 'string' } } });
const p = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(o.top ?? 30);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const holds = (id, fn) => {
  for (let x = id; x !== undefined; x = parent.get(x)) if (byId.get(x).callFrame.functionName === fn) return true;
  return false;
};
// Sample times: timeDeltas[i] is the gap before sample i; the sample's cost is the gap after it.
const at = [];
for (let i = 0, t = p.startTime; i < p.samples.length; i++) at.push((t += p.timeDeltas[i] ?? 0));
let lo = 0;
let hi = p.samples.length - 1;
if (o.from) {
  lo = p.samples.findIndex((id) => holds(id, o.from));
  while (hi > lo && !holds(p.samples[hi], o.from)) hi--;
  const start = at[lo] + Number(o['skip-ms'] ?? 1000) * 1000;
  while (lo < hi && at[lo] < start) lo++;
}
const dt = new Map();
for (let i = lo; i < hi; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (at[i + 1] - at[i]));
const windowUs = at[hi] - at[lo];
const label = (n) => {
  const f = n.callFrame;
  const url = f.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
  return `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`;
};
let busy = 0;
const incl = new Map();
for (const n of p.nodes) {
  const us = dt.get(n.id) ?? 0;
  const name = label(n);
  self.set(name, (self.get(name) ?? 0) + us);
  if (n.callFrame.functionName === '(idle)') continue;
  busy += us;
  // Inclusive: once per function per stack (recursion counted once).
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id));
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + us);
  }
}
const count = o.count ? Number(o.count) : o.rate ? (Number(o.rate) * windowUs) / 1e6 : 0;
const per = (us) => (count ? `${(us / count).toFixed(1).padStart(7)} µs/req` : `${(us / 1000).toFixed(1).padStart(8)} ms`);
// Socket writes are system calls whose cost moves with the machine's load far more than the JavaScript around them does.
const WRITES = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString']);
const writes = [...self].filter(([k]) => WRITES.has(k.split(' ')[0])).reduce((a, [, v]) => a + v, 0);
const us = (v) => (count ? `${(v / count).toFixed(1)} µs per request` : `${(v / 1000).toFixed(0)} ms`);
console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${(windowUs / 1000).toFixed(0)} ms${count ? ` (${count.toFixed(0)} requests)` : ''}: ${us(busy)}, of which socket writes ${us(writes)}, the rest ${us(busy - writes)}`);
console.log('\nself:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${per(v)}  ${k}`);
console.log('\ninclusive:');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${per(v)}  ${k}`);
