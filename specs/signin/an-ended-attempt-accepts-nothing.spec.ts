import { describe, it } from 'vitest';
import type { SignInCommand } from '../../src/domain/signin/commands.js';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { SignInEvent } from '../../src/domain/signin/events.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  DEADLINES,
  at,
  cancel,
  evaluateAnswer,
  historyUntil,
  recordAnswer,
  recorded,
  rejectAnswer,
  start,
  storyUntil,
  submitMfaResult,
  submitPassword,
  submitUsername,
  timeOut,
} from '../support/signin-fixtures.js';

/**
 * Once an attempt has an outcome, that outcome is final: an application has been told, maybe
 * tokens were issued. Nothing that arrives later (a slow agent's answer, a second code, a
 * cancel) may change it; each is refused with ATTEMPT_ENDED so the caller knows why. A
 * stale timer is the one exception: it decides nothing (see stale-time-outs-decide-nothing).
 */
const spec = specificationFor(signInDecider);

const ENDINGS: readonly (readonly [string, SignInEvent[]])[] = [
  ['signed in', historyUntil('done')],
  ['signed in with MFA', recorded([...storyUntil('mfa'), submitMfaResult(true)])],
  ['locked out', recorded([...storyUntil('awaitingPassword'), submitPassword({ locked: true })])],
  [
    'failed on a wrong password',
    recorded([...storyUntil('validated', { result: 'invalidCredentials' }), evaluateAnswer()]),
  ],
  ['timed out', recorded([...storyUntil('queued'), timeOut(DEADLINES.queued)])],
  ['cancelled', recorded([...storyUntil('awaitingUsername'), cancel()])],
];

/** Every command but start and timeOut, each as it would fit some waiting state. */
const LATE_COMMANDS: readonly SignInCommand[] = [
  submitUsername({ commandId: 'c9', at: at(500) }),
  submitPassword({ commandId: 'c9', at: at(500) }),
  recordAnswer({ commandId: 'c9', at: at(500) }),
  rejectAnswer({ commandId: 'c9', at: at(500) }),
  evaluateAnswer({ commandId: 'c9', at: at(500) }),
  submitMfaResult(true, { commandId: 'c9', at: at(500) }),
  cancel({ commandId: 'c9', at: at(500) }),
];

describe('an ended attempt accepts nothing', () => {
  for (const [ending, history] of ENDINGS) {
    for (const command of LATE_COMMANDS) {
      it(`refuses ${command.type} after the attempt ${ending}, with ATTEMPT_ENDED`, () => {
        spec.given(history).when(command).thenRefused('ATTEMPT_ENDED');
      });
    }

    it(`refuses to start again after the attempt ${ending}, with ATTEMPT_ALREADY_STARTED`, () => {
      spec
        .given(history)
        .when(start({ commandId: 'c9', at: at(500) }))
        .thenRefused('ATTEMPT_ALREADY_STARTED');
    });
  }
});
