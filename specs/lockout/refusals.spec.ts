import { describe, it } from 'vitest';
import { defaultLockoutPolicy, lockoutDecider } from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import { ELSEWHERE, failureFrom, failuresCounted, minute, outageAt } from './fixtures.js';

const spec = specificationFor(lockoutDecider());

describe('commands the lockout refuses', () => {
  it('refuses a command for another account than the stream’s (ACCOUNT_MISMATCH)', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 1))
      .when({ ...failureFrom(ELSEWHERE, minute(1)), account: 'bob@corp.example' })
      .thenRefused('ACCOUNT_MISMATCH');
  });

  it('refuses even an outage for another account, since it shows the host routed it wrongly', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 1))
      .when({ ...outageAt(ELSEWHERE, minute(1)), account: 'bob@corp.example' })
      .thenRefused('ACCOUNT_MISMATCH');
  });

  it('refuses everything under a policy that makes no sense (INVALID_POLICY)', () => {
    specificationFor(lockoutDecider({ ...defaultLockoutPolicy, unfamiliarThreshold: 0 }))
      .given([])
      .when(failureFrom(ELSEWHERE, minute(0)))
      .thenRefused('INVALID_POLICY');
  });

  it('refuses a policy whose cap is below its base lockout (INVALID_POLICY)', () => {
    specificationFor(
      lockoutDecider({ ...defaultLockoutPolicy, baseLockoutSeconds: 3600, maxLockoutSeconds: 60 }),
    )
      .given([])
      .when(failureFrom(ELSEWHERE, minute(0)))
      .thenRefused('INVALID_POLICY');
  });

  it('refuses a hand-built command with an unreadable instant (INVALID_COMMAND)', () => {
    spec
      .given([])
      .when({ ...failureFrom(ELSEWHERE, minute(0)), at: 'yesterday' })
      .thenRefused('INVALID_COMMAND');
  });

  it('refuses a location with control characters (INVALID_COMMAND)', () => {
    spec
      .given([])
      .when(failureFrom('10.0.0.0/8\n', minute(0)))
      .thenRefused('INVALID_COMMAND');
  });
});
