import { MfaError } from './mfa-errors.js';
import { isMfaTenant } from './mfa-keys.js';

/** A lone surrogate: such a string has no UTF-8 form, so no URI (nor QR code) can carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses, before anything is written, an enrolment that could not be stored or shown. Both
 * adapters call it, so they refuse the same things with the same codes.
 */
export const checkEnrolmentTarget = (tenant: string, username: string): void => {
  if (!isMfaTenant(tenant)) {
    throw new MfaError('MFA_INVALID_TENANT', 'the tenant must be a lower-case slug (a-z, 0-9, -)');
  }
  if (username.trim() === '' || LONE_SURROGATE.test(username)) {
    throw new MfaError(
      'MFA_INVALID_USERNAME',
      'the user name must be non-empty, well-formed Unicode text',
    );
  }
};
