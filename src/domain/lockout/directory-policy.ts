import { z } from 'zod';
import type { LockoutPolicy } from './policy.js';

/**
 * The account lockout policy of the directory behind the agents (Active Directory's
 * "Account lockout threshold", "Account lockout duration", "Reset account lockout counter
 * after"), in seconds. A threshold of 0 means the directory never locks accounts.
 */
export const DirectoryLockoutPolicySchema = z.object({
  lockoutThreshold: z.int().min(0).max(999),
  lockoutDurationSeconds: z.int().min(0),
  resetCounterAfterSeconds: z.int().positive(),
});
export type DirectoryLockoutPolicy = Readonly<z.infer<typeof DirectoryLockoutPolicySchema>>;

/**
 * What Windows applies when nobody set a policy, since Windows 11 22H2 and Windows Server
 * 2025: 10 failures, locked for 10 minutes, counter reset after 10 minutes.
 */
export const windowsDefaultDirectoryPolicy: DirectoryLockoutPolicy = Object.freeze({
  lockoutThreshold: 10,
  lockoutDurationSeconds: 600,
  resetCounterAfterSeconds: 600,
});

export const DIRECTORY_POLICY_CONFLICTS = [
  'THRESHOLDS_NOT_BELOW_DIRECTORY',
  'WINDOW_SHORTER_THAN_DIRECTORY_RESET',
  'LOCKOUT_SHORTER_THAN_DIRECTORY_RESET',
  'LOCKOUT_NOT_LONGER_THAN_DIRECTORY_LOCKOUT',
] as const;
export type DirectoryPolicyConflictCode = (typeof DIRECTORY_POLICY_CONFLICTS)[number];

export interface DirectoryPolicyConflict {
  readonly code: DirectoryPolicyConflictCode;
  readonly message: string;
}

/**
 * Checks that passage locks before the directory would, so that passage's traffic cannot
 * lock the account on premises (the reasoning is in docs/smart-lockout.md). Returns every
 * conflict found; an empty list means the policies fit together. Meant to be called once,
 * where the configuration is read.
 */
export const directoryPolicyConflicts = (
  policy: LockoutPolicy,
  directory: DirectoryLockoutPolicy,
): readonly DirectoryPolicyConflict[] => {
  // A directory that never locks cannot be made to lock.
  if (directory.lockoutThreshold === 0) return [];
  const conflicts: DirectoryPolicyConflict[] = [];
  const both = policy.familiarThreshold + policy.unfamiliarThreshold;
  if (both >= directory.lockoutThreshold) {
    conflicts.push({
      code: 'THRESHOLDS_NOT_BELOW_DIRECTORY',
      message: `familiar + unfamiliar thresholds (${both}) must be below the directory's lockout threshold (${directory.lockoutThreshold})`,
    });
  }
  if (policy.observationWindowSeconds < directory.resetCounterAfterSeconds) {
    conflicts.push({
      code: 'WINDOW_SHORTER_THAN_DIRECTORY_RESET',
      message: `the observation window (${policy.observationWindowSeconds} s) must be at least the directory's reset-counter time (${directory.resetCounterAfterSeconds} s), or spaced failures add up on the directory while passage forgets them`,
    });
  }
  if (policy.baseLockoutSeconds < directory.resetCounterAfterSeconds) {
    conflicts.push({
      code: 'LOCKOUT_SHORTER_THAN_DIRECTORY_RESET',
      message: `the base lockout (${policy.baseLockoutSeconds} s) must be at least the directory's reset-counter time (${directory.resetCounterAfterSeconds} s), so the directory forgets a bucket's failures while passage holds it locked`,
    });
  }
  if (
    directory.lockoutDurationSeconds > 0 &&
    policy.baseLockoutSeconds <= directory.lockoutDurationSeconds
  ) {
    conflicts.push({
      code: 'LOCKOUT_NOT_LONGER_THAN_DIRECTORY_LOCKOUT',
      message: `the base lockout (${policy.baseLockoutSeconds} s) must be longer than the directory's lockout duration (${directory.lockoutDurationSeconds} s)`,
    });
  }
  return conflicts;
};
