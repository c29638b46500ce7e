import { PermissionViolationError } from '@nats-io/transport-node';
import { causeChain } from '../infra/nats/cause-chain.js';

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

/**
 * NATS refused something this command's user may not do (a permissions violation): the
 * wrong role's key, or a server configured without a right passage needs. Told as
 * NATS_PERMISSION_DENIED with the subject the server named, instead of an internal error.
 */
export const permissionRefusalOf = (
  error: unknown,
): { readonly code: 'NATS_PERMISSION_DENIED'; readonly message: string } | undefined => {
  const violation = causeChain(error).find((cause) => cause instanceof PermissionViolationError);
  if (!(violation instanceof PermissionViolationError)) return undefined;
  return {
    code: 'NATS_PERMISSION_DENIED',
    message:
      `${violation.message}: this NATS user may not do that. Is it the key of the ` +
      `right role (--nats-nkey-file)? docs/nats-security.md lists what each role may do`,
  };
};
