import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The built package, imported by its name as a user's code would (`passage` and
 * `passage/testing`, resolved through package.json "exports"), in a separate Node process.
 */
const importInNode = (script: string): string =>
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../../', import.meta.url).pathname,
    encoding: 'utf8',
  });

describe('the package exports', () => {
  it('the root exports the machine, decide, the outcome table and the path generator by name', () => {
    const out = importInNode(`
      import * as passage from 'passage';
      const names = ['signInMachine', 'decide', 'evolve', 'signInDecider', 'OUTCOME_INFO',
        'outcomeOfAgentResult', 'agentResultFromActiveDirectory', 'agentResultFromOpenLdap',
        'signInPaths', 'pathCoverage', 'SignInEventSchema', 'SignInCommandSchema',
        'decodeSignInCommand', 'lockoutDecider', 'decideLockout', 'lockoutStatus'];
      const missing = names.filter((n) => !(n in passage));
      console.log(JSON.stringify({ missing, hasDefault: 'default' in passage,
        machineId: passage.signInMachine.id }));
    `);
    expect(JSON.parse(out)).toEqual({ missing: [], hasDefault: false, machineId: 'signIn' });
  });

  it('passage/testing generates paths that cover every state and transition', () => {
    const out = importInNode(`
      import { signInPaths, pathCoverage } from 'passage/testing';
      const c = pathCoverage(signInPaths());
      console.log(JSON.stringify([c.states.covered === c.states.total, c.transitions.covered === c.transitions.total, c.transitions.total]));
    `);
    const [allStates, allTransitions, total] = JSON.parse(out) as [boolean, boolean, number];
    expect(allStates).toBe(true);
    expect(allTransitions).toBe(true);
    expect(total).toBeGreaterThan(20);
  });

  it("passage/testing gives the tester's kit: the runner, the driver interface, the HTTP driver", () => {
    const out = importInNode(`
      import * as testing from 'passage/testing';
      const names = ['runSignInPaths', 'runSignInPath', 'planSignInPath', 'formatRunReport',
        'createHttpSignInDriver', 'createNatsSignInTools', 'eventStoreObserver',
        'processPauseHold', 'readUpBanner', 'TestingError', 'SIGN_IN_ACCOUNTS',
        'TRANSIENT_STATES', 'systemRunnerClock', 'DEFAULT_RUN_OPTIONS'];
      console.log(JSON.stringify(names.filter((n) => typeof testing[n] === 'undefined')));
    `);
    expect(JSON.parse(out)).toEqual([]);
  });
});
