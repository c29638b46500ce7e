import type { Outcome } from '../../src/domain/outcomes/vocabulary.js';
import type { SambaUserKey } from '../fixtures/directory/samba-accounts.js';

/**
 * Every account of the test run's Samba AD DC that is refused after its password, with the
 * outcome the sign-in page must show for it. The journeys over HTTP and in the browser go
 * through the same list, so that neither can leave out an account state the other covers.
 */
export interface SambaRefusal {
  /** The journey's name, which also names its screenshot directory. */
  readonly journey: string;
  readonly user: SambaUserKey;
  readonly outcome: Outcome;
}

export const SAMBA_PASSWORD_REFUSALS: readonly SambaRefusal[] = [
  { journey: 'invalid-credentials', user: 'badpass', outcome: 'invalidCredentials' },
  { journey: 'logon-hours', user: 'hours', outcome: 'logonRestricted' },
  { journey: 'workstation', user: 'workstation', outcome: 'logonRestricted' },
  { journey: 'password-expired', user: 'expired', outcome: 'passwordExpired' },
  { journey: 'account-disabled', user: 'disabled', outcome: 'accountDisabled' },
  { journey: 'account-expired', user: 'accountExpired', outcome: 'accountExpired' },
  { journey: 'must-change-password', user: 'mustChange', outcome: 'mustChangePassword' },
  { journey: 'locked-out', user: 'locked', outcome: 'lockedOut' },
];
