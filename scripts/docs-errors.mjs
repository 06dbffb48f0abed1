// Writes docs/errors.md from the error catalogue (src/core/errors-doc.ts).
// Run through `npm run docs:errors`, which builds dist/ first; test/core/errors-doc.test.ts fails when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { URL } from 'node:url';
import { errorsDoc } from '../dist/src/core/errors-doc.js';

const file = new URL('../docs/errors.md', import.meta.url);
const before = await readFile(file, 'utf8').catch(() => '');
const after = errorsDoc();
if (after === before) console.log('docs/errors.md: already up to date');
else {
  await writeFile(file, after);
  console.log('docs/errors.md: rewritten');
}
