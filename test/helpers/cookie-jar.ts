/**
 * Cookies per origin, as a browser keeps them (enough for tests: no paths, no SameSite), and a GET
 * that follows redirects by hand, collecting cookies on the way.
 */
export class CookieJar {
  readonly #by = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.#by.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.#by.get(origin) ?? new Map<string, string>();
    this.#by.set(origin, jar);
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
  }

  get(url: string, name: string): string | undefined {
    return this.#by.get(new URL(url).origin)?.get(name);
  }

  /** GETs `url` and follows redirects while `until(url)` is false; returns the last response and its URL. */
  async follow(url: string, until: (u: string) => boolean = () => false, headers: Record<string, string> = {}): Promise<{ res: Response; url: string }> {
    let at = url;
    for (let i = 0; i < 20; i++) {
      const cookie = this.header(at);
      const res = await fetch(at, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
      this.take(at, res);
      const to = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !to) return { res, url: at };
      const next = new URL(to, at).href;
      if (until(next)) return { res, url: next };
      await res.arrayBuffer();
      at = next;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
