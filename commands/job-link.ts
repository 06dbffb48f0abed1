import type { WebPort } from '../src/services/web/index.js';

/** ` · full output: <url>` after a job thread's first line when the web view has a public URL (docs/web.md). */
export function fullOutput(services: WebPort, id: string): string {
  const url = services.web?.jobUrl(id);
  return url ? ` · full output: ${url}` : '';
}
