/**
 * The layer order of docs/architecture.md ("Layers"), kept by a rule rather than by care.
 * dependency-cruiser 17 (the last major that runs on Node 20) with tsPreCompilationDeps, so an
 * `import type` counts like any other import: the cycles and upward imports that grew unseen were
 * all held by type imports. `npm run lint` runs it; test/lint/layers.test.ts proves the rule is live.
 */

// Top to bottom. A folder may import any floor below its own; on its own floor, only itself and the
// siblings listed in `siblings`. Paths are relative to the repository root.
const floors = [
  { name: 'cli', paths: ['^src/cli(\\.ts$|/)'] },
  { name: 'adapters', paths: ['^src/adapters/'] },
  // The public SDK (package.json "exports"): `opsline` uses core only; `opsline/testing` builds the app.
  { name: 'sdk', paths: ['^src/sdk/'] },
  { name: 'app', paths: ['^src/app/', '^src/demo/'] },
  { name: 'commands', paths: ['^commands/'] },
  { name: 'jobs', paths: ['^src/jobs/'] },
  { name: 'schedules, metrics, http', paths: ['^src/schedules/', '^src/metrics/', '^src/http/'] },
  { name: 'services', paths: ['^src/services/'] },
  { name: 'relay, agent', paths: ['^src/relay/', '^src/agent/'] },
  { name: 'config, log, redis', paths: ['^src/config/', '^src/log(-pretty)?\\.ts$', '^src/redis/'] },
  { name: 'core, protocol, doctor', paths: ['^src/core/', '^src/protocol/', '^src/doctor/'] },
  { name: 'words', paths: ['^src/words/', '^src/version\\.ts$'] },
];

// Same-floor imports that are allowed, as [from, to]; any other pair of siblings is refused.
const siblings = [
  ['^src/app/', '^src/demo/'],
  ['^src/demo/', '^src/app/'],
  ['^src/metrics/', '^src/http/'],
];

const any = (paths) => `(${paths.join('|')})`;
const placed = any(floors.flatMap((f) => f.paths));

const upward = floors.slice(1).map((floor, i) => ({
  name: `no-upward:${floor.name}`,
  comment: `${floor.name} must not import a floor above it (docs/architecture.md, Layers)`,
  severity: 'error',
  from: { path: any(floor.paths) },
  to: { path: any(floors.slice(0, i + 1).flatMap((f) => f.paths)) },
}));

// Each sibling folder on a floor, refused every other sibling unless `siblings` allows the pair.
const sideways = floors.flatMap((floor) =>
  floor.paths.map((from) => {
    const others = floor.paths.filter((p) => p !== from && !siblings.some(([a, b]) => a === from && b === p));
    return others.length === 0
      ? undefined
      : { name: `no-sideways:${floor.name}`, comment: `${from} must not import its sibling on the same floor`, severity: 'error', from: { path: from }, to: { path: any(others) } };
  }),
).filter(Boolean);

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'on-a-floor',
      comment: 'every module of src/ and commands/ stands on a floor of the order above: a new folder is placed there first',
      severity: 'error',
      from: { path: '^(src|commands)/', pathNot: placed },
      to: {},
    },
    {
      name: 'only-to-a-floor',
      comment: 'an import reaches only a module that stands on a floor',
      severity: 'error',
      from: {},
      to: { path: '^(src|commands)/', pathNot: placed },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'demo-only-lazily',
      comment: 'demo code loads only in demo mode: from the composition root or the cli, by a dynamic import()',
      severity: 'error',
      from: { path: '^(src|commands)/', pathNot: '^src/demo/' },
      to: { path: '^src/demo/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'demo-only-from-the-top',
      comment: 'only the composition root and the cli may load demo code',
      severity: 'error',
      from: { path: '^(src|commands)/', pathNot: '^src/(app|cli|demo)/' },
      to: { path: '^src/demo/' },
    },
    {
      name: 'agent-and-services-share-only-the-protocol',
      comment: 'the device agent and the bot share only src/protocol/ (docs/agent.md)',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^src/(core|services|relay|adapters|jobs)/' },
    },
    {
      name: 'protocol-and-words-import-nothing-of-ours',
      comment: 'the wire protocol and the words stand on the ground: they import only the words',
      severity: 'error',
      from: { path: '^src/(protocol|words)/' },
      to: { path: '^(src|commands)/', pathNot: '^src/(protocol|words)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Exports maps as Node reads them: @discordjs/rest has no "main", only conditions (node → import).
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
