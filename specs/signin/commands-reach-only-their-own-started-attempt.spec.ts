import { describe, it } from 'vitest';
import type { SignInCommand } from '../../src/domain/signin/commands.js';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { SignInStateName } from '../../src/domain/signin/machine.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  DEADLINES,
  OTHER_ATTEMPT,
  cancel,
  evaluateAnswer,
  historyUntil,
  recordAnswer,
  start,
  submitMfaResult,
  submitPassword,
  submitUsername,
  timeOut,
} from '../support/signin-fixtures.js';

/**
 * Each attempt is its own stream of events. A command routed to the wrong attempt, sent
 * before the attempt exists, or a start replayed on an existing attempt would otherwise mix
 * two users' sign-ins; each is refused with a code that says which mistake it was.
 */
const spec = specificationFor(signInDecider);

describe('commands reach only a started attempt, and only their own', () => {
  it('refuses a second start with ATTEMPT_ALREADY_STARTED, even one identical to the first', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(start())
      .thenRefused('ATTEMPT_ALREADY_STARTED');
  });

  it('refuses a start naming another attempt on an existing one with ATTEMPT_ALREADY_STARTED', () => {
    spec
      .given(historyUntil('queued'))
      .when(start({ attemptId: OTHER_ATTEMPT }))
      .thenRefused('ATTEMPT_ALREADY_STARTED');
  });

  it('refuses a username before the start with ATTEMPT_NOT_STARTED', () => {
    spec.given([]).when(submitUsername()).thenRefused('ATTEMPT_NOT_STARTED');
  });

  it('refuses a cancel or a time-out before the start with ATTEMPT_NOT_STARTED', () => {
    spec.given([]).when(cancel()).thenRefused('ATTEMPT_NOT_STARTED');
    spec.given([]).when(timeOut(DEADLINES.awaitingUsername)).thenRefused('ATTEMPT_NOT_STARTED');
  });

  // In each waiting state, the command it waits for, but naming another attempt.
  const mismatched: readonly (readonly [SignInStateName, SignInCommand])[] = [
    ['awaitingUsername', submitUsername({ attemptId: OTHER_ATTEMPT })],
    ['awaitingPassword', submitPassword({ attemptId: OTHER_ATTEMPT })],
    ['queued', recordAnswer({ attemptId: OTHER_ATTEMPT })],
    ['validated', evaluateAnswer({ attemptId: OTHER_ATTEMPT })],
    ['mfa', submitMfaResult(true, { attemptId: OTHER_ATTEMPT })],
  ];

  for (const [state, command] of mismatched) {
    it(`refuses in ${state} the very command it waits for, when it names another attempt, with ATTEMPT_MISMATCH`, () => {
      spec.given(historyUntil(state)).when(command).thenRefused('ATTEMPT_MISMATCH');
    });
  }

  it('refuses a time-out or a cancel for another attempt with ATTEMPT_MISMATCH', () => {
    spec
      .given(historyUntil('queued'))
      .when(timeOut(DEADLINES.queued, DEADLINES.queued, { attemptId: OTHER_ATTEMPT }))
      .thenRefused('ATTEMPT_MISMATCH');
    spec
      .given(historyUntil('queued'))
      .when(cancel({ attemptId: OTHER_ATTEMPT }))
      .thenRefused('ATTEMPT_MISMATCH');
  });

  it('refuses a command for another attempt with ATTEMPT_MISMATCH even after the end', () => {
    spec
      .given(historyUntil('done'))
      .when(cancel({ attemptId: OTHER_ATTEMPT }))
      .thenRefused('ATTEMPT_MISMATCH');
  });
});
