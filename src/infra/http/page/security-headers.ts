import { randomBytes } from 'node:crypto';

/**
 * Headers for every HTML page passage renders (the sign-in page, the demo application, the
 * provider's error pages). The pages load nothing from elsewhere: their CSS and their one
 * script are inline, allowed by a fresh nonce per response, and everything else is refused.
 */

/** A fresh CSP nonce: 128 random bits, base64 (the alphabet CSP accepts). */
export const newNonce = (): string => randomBytes(16).toString('base64');

export interface PageHeaderOptions {
  readonly nonce: string;
  /**
   * Where forms on the page may lead, besides this origin. Browsers apply `form-action` to
   * every redirect after a submission too, so a form whose answer redirects to the
   * application (cancel, the last step of a sign-in) must name the application's origin.
   */
  readonly formTargets?: readonly string[];
}

/**
 * The CSP source for a redirect URI: its origin for http(s), its scheme for a native
 * application's private-use scheme (`com.example.app:/callback`). Null for anything else.
 */
export const formTargetOf = (uri: string): string | null => {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  // Reverse-DNS schemes only (they hold a dot), as client registration requires: never
  // `javascript:` or `data:`.
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol) ? url.protocol : null;
};

export const pageSecurityHeaders = (options: PageHeaderOptions): Record<string, string> => {
  const nonce = `'nonce-${options.nonce}'`;
  // Only values formTargetOf accepts reach the policy, so none can add a directive.
  const targets = (options.formTargets ?? [])
    .map(formTargetOf)
    .filter((t): t is string => t !== null);
  const csp = [
    "default-src 'none'",
    `script-src ${nonce}`,
    `style-src ${nonce}`,
    // The waiting page's script asks the JSON API whether the password was checked.
    "connect-src 'self'",
    "img-src 'self' data:",
    ["form-action 'self'", ...new Set(targets)].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
  };
};
