import { accountKeyOf } from '../../actors/lockout/account-lockout.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';

/**
 * Where a user's enrolment lives: `<tenant>.<accountKey>`. The account key is the lockout's
 * hash of the case-folded user name, so `Alice` and `alice` share one enrolment (directories
 * compare names without case), any name makes a valid key, and no name appears in a key.
 */
export const mfaKey = (tenant: string, username: string): string =>
  `${tenant}.${accountKeyOf(username)}`;

/** A tenant is a key token only when it is a slug: `*` or `a.b` would change what a key means. */
export const isMfaTenant = (tenant: string): boolean => TenantSchema.safeParse(tenant).success;
