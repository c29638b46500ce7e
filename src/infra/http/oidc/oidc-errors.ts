/**
 * Why the OpenID Connect provider refuses to start. The CLI prints `message` and exits;
 * callers branch on `code`, never on the message, which is written for the person who has to
 * fix the configuration. No message quotes a key, a client secret or a file's content.
 */
export type OidcSetupErrorCode =
  /** `publicUrl` is not an absolute http(s) URL without query or fragment. */
  | 'OIDC_PUBLIC_URL_INVALID'
  /** The clients file does not exist. */
  | 'OIDC_CLIENTS_NOT_FOUND'
  /** The clients file exists but cannot be read. */
  | 'OIDC_CLIENTS_UNREADABLE'
  /** The clients file is not JSON, or a client in it is not acceptable (`problems` says why). */
  | 'OIDC_CLIENTS_INVALID'
  /** A key file or the keys directory cannot be read. */
  | 'OIDC_KEYS_UNREADABLE'
  /** A key file or the keys directory cannot be written. */
  | 'OIDC_KEYS_UNWRITABLE'
  /** A key file is readable by others, a symbolic link, or someone else's. */
  | 'OIDC_KEYS_INSECURE'
  /** A key file is not a valid key file (`problems` says why). */
  | 'OIDC_KEYS_INVALID'
  /** The key asked to be removed signs tokens now (it is the first) or is not in the file. */
  | 'OIDC_KEY_NOT_REMOVABLE';

export class OidcSetupError extends Error {
  constructor(
    readonly code: OidcSetupErrorCode,
    message: string,
    /** One line per problem, `path: what is wrong`, in the order found. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcSetupError';
  }
}

export const isOidcSetupError = (error: unknown): error is OidcSetupError =>
  error instanceof OidcSetupError;

/** The errno code of a Node.js system error, if it is one. */
export const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
