/**
 * The log fields of a failed connection to NATS: its stable code (NATS_UNREACHABLE,
 * NATS_AUTHORIZATION_FAILED, NATS_TLS_FAILED, NATS_NKEY_FILE_*, NATS_CA_FILE_*) and why.
 * The messages name files and servers, never a seed.
 */
export const connectFailureOf = (
  natsUrl: string,
  error: unknown,
): { readonly code: string; readonly url: string; readonly reason: string } => ({
  code:
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('NATS_')
      ? error.code
      : 'NATS_UNREACHABLE',
  url: natsUrl,
  reason: error instanceof Error ? error.message : String(error),
});
