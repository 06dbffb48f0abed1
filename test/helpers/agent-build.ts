import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const repo = join(import.meta.dirname, '..', '..');

/**
 * Node 20 cannot run TypeScript, and the restart test needs the agent in a real child process it can
 * SIGKILL. This transpiles src/ and the child entry (no type check: tsc does that) into a directory
 * under node_modules/.cache, where package imports still resolve. Returns the entry and the directory to remove.
 */
export async function buildAgentChild(): Promise<{ entry: string; dir: string }> {
  const out = join(repo, 'node_modules', '.cache', `opsline-agent-child-${process.pid}-${Date.now()}`);
  const files = [...(await tsFiles(join(repo, 'src'))), join(repo, 'test', 'helpers', 'agent-child.ts')];
  await Promise.all(
    files.map(async (file) => {
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
        fileName: file,
      });
      const dest = join(out, relative(repo, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, outputText);
    }),
  );
  await writeFile(join(out, 'package.json'), '{"type":"module"}\n');
  return { entry: join(out, 'test', 'helpers', 'agent-child.js'), dir: out };
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')).map((e) => join(e.parentPath, e.name));
}
