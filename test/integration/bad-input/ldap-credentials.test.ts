import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Directory, DirectoryAnswer } from '../../../src/actors/ports/directory.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import { credentialsFor, folded, type Credentials } from '../../bad-input/ldap-credentials.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { reportRun, runSeed } from '../../bad-input/run-report.js';
import {
  directories,
  sambaAlternateIdConfig,
  sambaConfig,
  slapdConfig,
} from '../directory/directory-configs.js';

/**
 * The directory boundary against generated user names and passwords, on the run's real
 * Samba AD DC and slapd, through the agent's LDAP adapter: filter injection, DN and
 * down-level forms, wildcards, Unicode tricks and long values, with the right password,
 * near misses of it and hostile ones. Nothing signs in but the right account with the right
 * password; no name makes the directory look unavailable; no answer repeats the password.
 */

const SEED = runSeed();
const { samba, slapd } = directories();

interface Case {
  readonly name: string;
  readonly directory: Directory;
  /** How the account under attack signs in here, and its password. */
  readonly account: string;
  readonly password: string;
  readonly runs: number;
}

const cases: readonly Case[] = [
  {
    name: 'OpenLDAP by uid',
    directory: createLdapDirectory(slapdConfig()),
    account: slapd.users.good.uid,
    password: slapd.users.good.password,
    runs: 5_000,
  },
  {
    name: 'Active Directory by UPN',
    directory: createLdapDirectory(sambaConfig()),
    account: samba.users.good.upn,
    password: samba.users.good.password,
    runs: 2_500,
  },
  {
    name: 'Active Directory by sAMAccountName',
    directory: createLdapDirectory(sambaAlternateIdConfig('sAMAccountName')),
    account: samba.users.good.username,
    password: samba.users.good.password,
    runs: 2_500,
  },
];
afterAll(() => Promise.all(cases.map((c) => c.directory.close())));

/** What is wrong with an answer, or null. */
const problemWith = (c: Case, credentials: Credentials, answer: DirectoryAnswer): string | null => {
  const right = credentials.password === c.password;
  if (
    answer.result === 'success' &&
    !(right && folded(credentials.username) === folded(c.account))
  ) {
    return 'signed in';
  }
  if (answer.result.startsWith('directory')) return `a hostile value made it ${answer.result}`;
  if (answer.detail.includes(c.password)) return 'the password in the detail';
  if (right && credentials.username === c.account && answer.result !== 'success') {
    return `the right user and password: ${answer.result}`;
  }
  return null;
};

describe('user names and passwords against the real directories', () => {
  let total = 0;
  const startedAt = Date.now();

  it.each(cases)(
    '$name: only the right account with the right password signs in',
    async (c) => {
      const inputs = fc.sample(credentialsFor(c.account, c.password), {
        numRuns: c.runs,
        seed: SEED,
      });
      const problems: { credentials: Credentials; result: string; problem: string }[] = [];
      const aliases = new Set<string>();
      await pipelined(inputs, 8, async (credentials) => {
        const answer = await c.directory.validate(credentials.username, credentials.password);
        const problem = problemWith(c, credentials, answer);
        if (problem !== null) problems.push({ credentials, result: answer.result, problem });
        if (answer.result === 'success' && credentials.username !== c.account) {
          aliases.add(credentials.username);
        }
      });
      total += inputs.length;
      expect(problems.slice(0, 5)).toEqual([]);
      expect(inputs.length).toBe(c.runs);
      // Spellings the directory itself takes for the account (its own case and Unicode
      // folding): the right account, with its password. Reported, for the record.
      process.stdout.write(
        `bad input: ${c.name}: ${aliases.size} other spellings of the account signed in with its password: ${[
          ...aliases,
        ]
          .slice(0, 8)
          .map((a) => JSON.stringify(a))
          .join(', ')}\n`,
      );
    },
    300_000,
  );

  it('ran at least 10,000 of them', () => {
    reportRun('LDAP credentials', total, startedAt, SEED);
    expect(total).toBeGreaterThanOrEqual(10_000);
  });
});
