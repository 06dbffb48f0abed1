// Rewrites the generated field tables in docs/agent.md from the protocol schemas (src/protocol/doc-tables.ts).
// Run through `npm run docs:protocol`, which builds dist/ first; test/protocol/doc-tables.test.ts fails when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { URL } from 'node:url';
import { withTables } from '../dist/src/protocol/doc-tables.js';

const file = new URL('../docs/agent.md', import.meta.url);
const before = await readFile(file, 'utf8');
const after = withTables(before);
if (after === before) console.log('docs/agent.md: tables already up to date');
else {
  await writeFile(file, after);
  console.log('docs/agent.md: tables rewritten');
}
