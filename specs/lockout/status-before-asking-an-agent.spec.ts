import { describe, expect, it } from 'vitest';
import { foldLockout, initialLockoutState, lockoutStatus } from '../../src/domain/lockout/index.js';
import {
  ELSEWHERE,
  HOME,
  OFFICE,
  failuresCounted,
  lockedOut,
  minute,
  officeIsFamiliar,
} from './fixtures.js';

// The host asks `lockoutStatus` before it queues a password for any agent: a locked attempt
// must never reach the directory.
describe('the host checks the lockout status before asking an agent', () => {
  it('lets a brand-new account through, from an unfamiliar place', () => {
    expect(lockoutStatus(initialLockoutState(), { at: minute(0), location: HOME })).toEqual({
      locked: false,
      until: null,
      bucket: 'unfamiliar',
      familiar: false,
    });
  });

  const attacked = foldLockout([
    ...officeIsFamiliar,
    ...failuresCounted('unfamiliar', ELSEWHERE, 0, 3),
    lockedOut('unfamiliar', minute(2), minute(17), 1, 'lock-1'),
  ]);

  it('refuses an unfamiliar place while the unfamiliar bucket is locked, and says until when', () => {
    expect(lockoutStatus(attacked, { at: minute(16.5), location: HOME })).toEqual({
      locked: true,
      until: minute(17),
      bucket: 'unfamiliar',
      familiar: false,
    });
  });

  it('lets a familiar place through at the same moment', () => {
    expect(lockoutStatus(attacked, { at: minute(16.5), location: OFFICE })).toEqual({
      locked: false,
      until: null,
      bucket: 'familiar',
      familiar: true,
    });
  });

  it('unlocks exactly when the lockout ends', () => {
    expect(lockoutStatus(attacked, { at: minute(17), location: HOME }).locked).toBe(false);
  });

  it('treats an unreadable instant as locked rather than letting the attempt through', () => {
    expect(lockoutStatus(attacked, { at: 'not a time', location: HOME }).locked).toBe(true);
  });
});
