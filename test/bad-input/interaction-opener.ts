import type * as oidc from 'openid-client';
import { authorizationFor } from '../support/oidc-test-app.js';

/** A sign-in page opened as a browser opens it: its uid, and the cookies that go with it. */
export interface OpenInteraction {
  readonly uid: string;
  /** Every cookie the provider set on the way, as one `Cookie` header. */
  readonly cookie: string;
}

/**
 * Follows an authorization request to the sign-in page with fetch, keeping every cookie the
 * provider sets (by name, whatever its path: the tests send them to the page's own routes),
 * so that generated requests can be sent with the interaction's cookies by any client.
 */
export const openInteraction = async (
  publicUrl: string,
  config: oidc.Configuration,
  redirectUri: string,
): Promise<OpenInteraction> => {
  const auth = await authorizationFor(config, redirectUri);
  const cookies = new Map<string, string>();
  let url = new URL(auth.url.href);
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    await response.arrayBuffer();
    const match = /^\/interaction\/([^/?]+)$/.exec(url.pathname);
    if (match !== null && response.status === 200) {
      return {
        uid: decodeURIComponent(match[1] ?? ''),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      };
    }
    const location = response.headers.get('location');
    if (location === null) throw new Error(`no sign-in page: ${response.status} at ${url.href}`);
    url = new URL(location, url);
    if (url.origin !== new URL(publicUrl).origin) throw new Error(`left for ${url.href}`);
  }
  throw new Error('too many redirects before the sign-in page');
};
