import { describe, expect, it } from 'vitest';
import {
  AGENT_RESULTS,
  AGENT_RESULT_OUTCOMES,
  type AgentResult,
  FAILURE_OUTCOMES,
  OUTCOMES,
  OUTCOME_INFO,
  type Outcome,
  describeOutcome,
  outcomeOfAgentResult,
} from '../../../src/domain/outcomes/index.js';

type Row = readonly [AgentResult, Outcome, boolean, boolean, number | null];

// agent result, outcome, revealsCorrectPassword, countsAsFailure, entraCode
const EXPECTED: readonly Row[] = [
  ['success', 'signedIn', true, false, null],
  ['invalidCredentials', 'invalidCredentials', false, true, 50126],
  ['userNotFound', 'invalidCredentials', false, true, 50126],
  ['ambiguousUsername', 'invalidCredentials', false, true, 50126],
  ['passwordExpired', 'passwordExpired', true, false, 50144],
  ['mustChangePassword', 'mustChangePassword', true, false, null],
  ['accountLockedOut', 'lockedOut', false, true, 50053],
  ['accountDisabled', 'accountDisabled', true, false, 50057],
  ['accountExpired', 'accountExpired', true, false, null],
  ['logonHoursRestricted', 'logonRestricted', true, false, 80012],
  ['workstationRestricted', 'logonRestricted', true, false, null],
  ['directoryUnavailable', 'directoryUnavailable', false, false, 80007],
  ['directoryError', 'directoryUnavailable', false, false, 80007],
];

const screamingSnake = (name: string): string =>
  name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

describe('the outcome table is total', () => {
  it('has a row for every agent result and nothing else', () => {
    expect(Object.keys(AGENT_RESULT_OUTCOMES).sort()).toEqual([...AGENT_RESULTS].sort());
    expect(EXPECTED.map(([result]) => result).sort()).toEqual([...AGENT_RESULTS].sort());
  });

  it('describes every outcome and nothing else', () => {
    expect(Object.keys(OUTCOME_INFO).sort()).toEqual([...OUTCOMES].sort());
  });

  it.each(AGENT_RESULTS)('%s leads to a described outcome', (result) => {
    const info = outcomeOfAgentResult(result);
    expect(OUTCOMES).toContain(info.outcome);
    expect(info.code).toBe(OUTCOME_INFO[info.outcome].code);
    expect(info.message).toBe(OUTCOME_INFO[info.outcome].message);
  });

  it.each(OUTCOMES)('%s has a code, a message and an Entra code or null', (outcome) => {
    const { code, message, entraCode } = describeOutcome(outcome);
    expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
    expect(message.length).toBeGreaterThan(0);
    expect(message.length).toBeLessThanOrEqual(100);
    expect(entraCode === null || (Number.isInteger(entraCode) && entraCode > 0)).toBe(true);
  });
});

describe('each agent result', () => {
  it.each(EXPECTED)(
    '%s → %s (reveals password: %s, counts as failure: %s, Entra %s)',
    (result, outcome, revealsCorrectPassword, countsAsFailure, entraCode) => {
      expect(outcomeOfAgentResult(result)).toEqual({
        outcome,
        code: OUTCOME_INFO[outcome].code,
        message: OUTCOME_INFO[outcome].message,
        revealsCorrectPassword,
        countsAsFailure,
        entraCode,
      });
    },
  );
});

describe('codes and messages', () => {
  it('success is SIGNED_IN and the wrong-password family is INVALID_CREDENTIALS', () => {
    expect(outcomeOfAgentResult('success').code).toBe('SIGNED_IN');
    expect(outcomeOfAgentResult('invalidCredentials').code).toBe('INVALID_CREDENTIALS');
  });

  it.each(OUTCOMES)('the code of %s is its name in SCREAMING_SNAKE', (outcome) => {
    expect(OUTCOME_INFO[outcome].code).toBe(screamingSnake(outcome));
  });

  it('no two outcomes share a code or a message', () => {
    const codes = OUTCOMES.map((o) => OUTCOME_INFO[o].code);
    const messages = OUTCOMES.map((o) => OUTCOME_INFO[o].message);
    expect(new Set(codes).size).toBe(OUTCOMES.length);
    expect(new Set(messages).size).toBe(OUTCOMES.length);
  });

  it('no failure outcome reuses the success code', () => {
    for (const outcome of FAILURE_OUTCOMES)
      expect(OUTCOME_INFO[outcome].code).not.toBe('SIGNED_IN');
  });

  it.each(OUTCOMES)('the message for %s never talks about whether an account exists', (outcome) => {
    expect(OUTCOME_INFO[outcome].message).not.toMatch(
      /not found|does not exist|doesn't exist|no such|unknown user|no account/i,
    );
  });
});

describe('no account enumeration', () => {
  it.each(['userNotFound', 'ambiguousUsername'] as const)(
    '%s is indistinguishable from invalidCredentials',
    (result) => {
      // Everything: code, message, outcome, Entra code, and the lockout flags, because a
      // lockout that never triggers for unknown names would itself tell them apart.
      expect(outcomeOfAgentResult(result)).toEqual(outcomeOfAgentResult('invalidCredentials'));
    },
  );

  it('userNotFound shows the same code and message as invalidCredentials', () => {
    const unknown = outcomeOfAgentResult('userNotFound');
    const wrong = outcomeOfAgentResult('invalidCredentials');
    expect(unknown.code).toBe(wrong.code);
    expect(unknown.message).toBe(wrong.message);
  });
});

describe('smart lockout flags', () => {
  it.each(['directoryUnavailable', 'directoryError'] as const)(
    '%s never counts as a failure',
    (result) => {
      expect(outcomeOfAgentResult(result).countsAsFailure).toBe(false);
    },
  );

  it.each(AGENT_RESULTS)('%s: an outage-shaped outcome never counts as a failure', (result) => {
    const info = outcomeOfAgentResult(result);
    if (info.outcome === 'directoryUnavailable' || info.outcome === 'agentUnavailable') {
      expect(info.countsAsFailure).toBe(false);
    } else {
      expect(['directoryUnavailable', 'directoryError']).not.toContain(result);
    }
  });

  it.each(AGENT_RESULTS)('%s does not both reveal the password and count as wrong', (result) => {
    const { revealsCorrectPassword, countsAsFailure } = outcomeOfAgentResult(result);
    expect(revealsCorrectPassword && countsAsFailure).toBe(false);
  });

  it('exactly the results the directory gives only for a right password reveal it', () => {
    const revealing = AGENT_RESULTS.filter((r) => outcomeOfAgentResult(r).revealsCorrectPassword);
    expect(revealing.sort()).toEqual(
      [
        'success',
        'passwordExpired',
        'mustChangePassword',
        'accountDisabled',
        'accountExpired',
        'logonHoursRestricted',
        'workstationRestricted',
      ].sort(),
    );
  });

  it('exactly the wrong-password family and lockouts count as failures', () => {
    const counting = AGENT_RESULTS.filter((r) => outcomeOfAgentResult(r).countsAsFailure);
    expect(counting.sort()).toEqual(
      ['invalidCredentials', 'userNotFound', 'ambiguousUsername', 'accountLockedOut'].sort(),
    );
  });
});

describe('Entra codes', () => {
  it.each(AGENT_RESULTS)(
    "%s: an outcome's Entra code, when set, agrees with the agent result's",
    (result) => {
      const row = AGENT_RESULT_OUTCOMES[result];
      const outcomeCode = OUTCOME_INFO[row.outcome].entraCode;
      if (outcomeCode !== null) expect(row.entraCode).toBe(outcomeCode);
      else expect(outcomeCode).toBeNull();
    },
  );

  it.each([
    ['invalidCredentials', 50126],
    ['passwordExpired', 50144],
    ['lockedOut', 50053],
    ['accountDisabled', 50057],
    ['mfaFailed', 500121],
    ['agentUnavailable', 80001],
    ['directoryUnavailable', 80007],
  ] as const)('%s corresponds to AADSTS%i', (outcome, code) => {
    expect(describeOutcome(outcome).entraCode).toBe(code);
  });

  it.each([
    'signedIn',
    'mustChangePassword',
    'accountExpired',
    'logonRestricted',
    'timedOut',
    'cancelled',
  ] as const)('%s has no Entra code: none is verified for it', (outcome) => {
    expect(describeOutcome(outcome).entraCode).toBeNull();
  });
});
