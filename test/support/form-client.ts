/**
 * A browser without a browser, for tests of server-rendered pages over real HTTP: a cookie
 * jar (name, path, Max-Age), redirects followed by hand (each hop is visible), and the
 * forms and links of a page read from its HTML. One origin only, which is what passage
 * serves; the first hop to another origin, or to a `stopAt` prefix (an application's
 * redirect URI), stops `follow`.
 */

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface FormClient {
  /** Every request made, in order, with its status. */
  readonly history: readonly { method: string; url: string; status: number }[];
  readonly cookieNames: () => string[];
  readonly get: (url: string, headers?: Record<string, string>) => Promise<Hop>;
  readonly post: (
    url: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ) => Promise<Hop>;
  /**
   * Follows redirects from `hop` while they stay on the origin, at most `maxHops` times.
   * Returns the last answer, or the redirect that leaves the origin (its `location` says where).
   */
  readonly follow: (hop: Hop, maxHops?: number) => Promise<Hop>;
}

/** HTML text with the five entities passage's pages escape (`&quot;`, `&#39;`, …) decoded. */
export const decodeEntities = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The `action` of every post form on a page, in order, entities decoded. */
export const formActions = (body: string): string[] =>
  [...body.matchAll(/<form\b[^>]*\baction="([^"]*)"/g)].map((m) => decodeEntities(m[1] ?? ''));

/** The one form action that contains `part`; fails when there is none or several. */
export const formAction = (body: string, part: string): string => {
  const matches = formActions(body).filter((action) => action.includes(part));
  if (matches.length !== 1) {
    throw new Error(`expected one form posting to *${part}*, found ${matches.length}`);
  }
  return matches[0] ?? '';
};

/** The href of the link whose text is `text`. */
export const linkHref = (body: string, text: string): string | undefined => {
  for (const m of body.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) {
    if ((m[2] ?? '').trim() === text) return decodeEntities(m[1] ?? '');
  }
  return undefined;
};

export const createFormClient = (
  origin: string,
  options: {
    /** URL prefixes `follow` stops before (an application's redirect URI on this origin). */
    readonly stopAt?: readonly string[];
  } = {},
): FormClient => {
  const jar = new Map<string, StoredCookie>();
  const history: { method: string; url: string; status: number }[] = [];

  const store = (headers: Headers) => {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) jar.delete(key);
      else jar.set(key, { value, path });
    }
  };

  const cookieHeader = (url: URL): string =>
    [...jar.entries()]
      .filter(
        ([, c]) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([key, c]) => `${key.split(';')[0]}=${c.value}`)
      .join('; ');

  const request = async (
    method: string,
    target: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Hop> => {
    const url = new URL(target, origin);
    const cookie = cookieHeader(url);
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
      headers: {
        ...(cookie === '' ? {} : { cookie }),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    store(response.headers);
    history.push({ method, url: url.href, status: response.status });
    return {
      url: url.href,
      status: response.status,
      headers: response.headers,
      body: await response.text(),
    };
  };

  const follow = async (hop: Hop, maxHops = 10): Promise<Hop> => {
    let current = hop;
    for (let i = 0; i < maxHops; i += 1) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || location === null) return current;
      const next = new URL(location, current.url);
      if (next.origin !== new URL(origin).origin) return current;
      if ((options.stopAt ?? []).some((prefix) => next.href.startsWith(prefix))) return current;
      current = await request('GET', next.href);
    }
    throw new Error(`more than ${maxHops} redirects from ${hop.url}`);
  };

  return {
    history,
    cookieNames: () => [...jar.keys()].map((k) => k.split(';')[0] ?? ''),
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, form, headers) => request('POST', url, new URLSearchParams(form), headers),
    follow,
  };
};
