/** TOTP second factors: the KV and in-memory adapters of the MFA port, and TOTP helpers. */
export { createInMemoryMfaEnrolments } from './in-memory-enrolments.js';
export {
  MFA_BUCKET,
  MFA_ENROLLED,
  MFA_ENROLMENT_UNREADABLE,
  MFA_REMOVED,
  createKvMfaEnrolments,
  type KvMfaEnrolmentsOptions,
} from './kv-enrolments.js';
export { MfaError, isMfaError, type MfaErrorCode } from './mfa-errors.js';
export { mfaKey } from './mfa-keys.js';
export { isWellFormedCode, totpCodeAt, totpStepAt } from './totp.js';
