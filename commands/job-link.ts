import type { CommandContext } from '../src/core/define-command.js';

/** ` · full output: <url>` after a job thread's first line when the web view has a public URL (docs/web.md). */
export function fullOutput(ctx: CommandContext<unknown>, id: string): string {
  const url = ctx.services.web?.jobUrl(id);
  return url ? ` · full output: ${url}` : '';
}
