import { describe, expect, it } from 'vitest';
import {
  defaultLockoutPolicy,
  directoryPolicyConflicts,
  windowsDefaultDirectoryPolicy,
} from '../../src/domain/lockout/index.js';

// Pass-through authentication checks every password against the on-premises directory, so
// each failure passage lets through also counts towards the directory's own lockout. passage
// must stop an attacker before the directory locks the user out of everything on premises.
describe('the default policy sits below Active Directory’s', () => {
  it('uses 5 familiar and 3 unfamiliar failures, a 10-minute window, 15 minutes doubling to 24 hours, 10 familiar places', () => {
    expect(defaultLockoutPolicy).toEqual({
      familiarThreshold: 5,
      unfamiliarThreshold: 3,
      observationWindowSeconds: 600,
      baseLockoutSeconds: 900,
      maxLockoutSeconds: 86_400,
      maxFamiliarLocations: 10,
    });
  });

  it('lets through fewer failures from both kinds of place together (8) than Windows’ default threshold (10)', () => {
    const both = defaultLockoutPolicy.familiarThreshold + defaultLockoutPolicy.unfamiliarThreshold;
    expect(both).toBeLessThan(windowsDefaultDirectoryPolicy.lockoutThreshold);
  });

  it('fits the Windows default lockout policy (10 failures, 10 minutes, reset after 10 minutes)', () => {
    expect(directoryPolicyConflicts(defaultLockoutPolicy, windowsDefaultDirectoryPolicy)).toEqual(
      [],
    );
  });

  it('warns when the directory is stricter than passage', () => {
    const strictDirectory = {
      lockoutThreshold: 5,
      lockoutDurationSeconds: 1800,
      resetCounterAfterSeconds: 1800,
    };
    expect(
      directoryPolicyConflicts(defaultLockoutPolicy, strictDirectory).map((c) => c.code),
    ).toEqual([
      'THRESHOLDS_NOT_BELOW_DIRECTORY',
      'WINDOW_SHORTER_THAN_DIRECTORY_RESET',
      'LOCKOUT_SHORTER_THAN_DIRECTORY_RESET',
      'LOCKOUT_NOT_LONGER_THAN_DIRECTORY_LOCKOUT',
    ]);
  });

  it('flags a passage lockout no longer than the directory’s, as Microsoft advises against', () => {
    const baseline = {
      lockoutThreshold: 10,
      lockoutDurationSeconds: 900,
      resetCounterAfterSeconds: 900,
    };
    expect(directoryPolicyConflicts(defaultLockoutPolicy, baseline).map((c) => c.code)).toEqual([
      'WINDOW_SHORTER_THAN_DIRECTORY_RESET',
      'LOCKOUT_NOT_LONGER_THAN_DIRECTORY_LOCKOUT',
    ]);
  });

  it('has nothing to fit when the directory never locks accounts (threshold 0)', () => {
    expect(
      directoryPolicyConflicts(defaultLockoutPolicy, {
        lockoutThreshold: 0,
        lockoutDurationSeconds: 0,
        resetCounterAfterSeconds: 60,
      }),
    ).toEqual([]);
  });
});
