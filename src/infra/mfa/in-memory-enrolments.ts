import type { MfaAdmin, MfaEnrolments } from '../../actors/ports/mfa.js';
import { checkEnrolmentTarget } from './enrolment-checks.js';
import { judgeCode, newEnrolment, type MfaEnrolmentRecord } from './enrolment-record.js';
import { MfaError } from './mfa-errors.js';
import { isMfaTenant, mfaKey } from './mfa-keys.js';

/** Runs `work` as a promise, so that what it throws rejects (as the KV adapter's calls do). */
const settled = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

/**
 * Enrolments in a Map, for unit tests of the layers above and for single-process demos. It
 * runs the same contract suite as the KV adapter. Every call reads and writes without an
 * await in between, so marking a step used is atomic here by construction.
 */
export const createInMemoryMfaEnrolments = (): MfaEnrolments & MfaAdmin => {
  const records = new Map<string, MfaEnrolmentRecord>();

  const find = (tenant: string, username: string): MfaEnrolmentRecord | undefined =>
    isMfaTenant(tenant) ? records.get(mfaKey(tenant, username)) : undefined;

  return {
    isEnrolled: (tenant, username) => settled(() => find(tenant, username) !== undefined),

    verify: (tenant, username, code, at) =>
      settled(() => {
        const record = find(tenant, username);
        if (record === undefined) return { kind: 'notEnrolled' } as const;
        const judged = judgeCode(record, code, at);
        if (judged.next !== undefined) records.set(mfaKey(tenant, username), judged.next);
        return judged.verdict;
      }),

    enrol: (tenant, username, options) =>
      settled(() => {
        checkEnrolmentTarget(tenant, username);
        const key = mfaKey(tenant, username);
        if (options.replace !== true && records.has(key)) {
          throw new MfaError('MFA_ALREADY_ENROLLED', 'the user has a second factor already');
        }
        const { record, enrolment } = newEnrolment(username, options);
        records.set(key, record);
        return enrolment;
      }),

    remove: (tenant, username) =>
      settled(() => isMfaTenant(tenant) && records.delete(mfaKey(tenant, username))),
  };
};
