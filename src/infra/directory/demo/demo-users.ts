import { randomInt } from 'node:crypto';
import type { AgentResult, Outcome } from '../../../domain/outcomes/vocabulary.js';
import {
  passwordPolicyEntry,
  personEntry,
  serviceAccountEntry,
  suffixEntries,
} from './directory-entries.js';
import type { LdifEntry } from './ldif.js';

export const DEMO_BASE_DN = 'dc=demo,dc=test';
const PEOPLE = `ou=people,${DEMO_BASE_DN}`;
const POLICIES = `ou=policies,${DEMO_BASE_DN}`;
/** Expiry and lockout: for the users who show them. */
export const DEMO_DEFAULT_POLICY_DN = `cn=default,${POLICIES}`;
/** Never locks, never expires: a demo user mistyping must not lock themself out. */
const RELAXED_POLICY_DN = `cn=relaxed,${POLICIES}`;
const MAX_AGE_SECONDS = 30 * 24 * 3600;
/** The directory's own lockout, far above passage's smart lockout (5), which acts first. */
const DIRECTORY_LOCKOUT_FAILURES = 10;

export const DEMO_USER_KEYS = ['signsIn', 'expired', 'mustChange', 'locked', 'mfa'] as const;
export type DemoUserKey = (typeof DEMO_USER_KEYS)[number];

export interface DemoUser {
  readonly key: DemoUserKey;
  /** What to type on the sign-in page (the uid). */
  readonly username: string;
  readonly dn: string;
  /** Made at this start, held in memory only, printed once. */
  readonly password: string;
  /** What the agent reports when this password is checked. */
  readonly agentResult: AgentResult;
  /** Where a sign-in with this password ends (for demo.mfa: after a right code). */
  readonly outcome: Outcome;
  /** A second factor is asked for before the sign-in ends. */
  readonly mfa: boolean;
  /** One line for the printed table. */
  readonly shows: string;
}

export interface DemoServiceAccount {
  readonly dn: string;
  readonly password: string;
}

/**
 * A user beyond the demo's five, all alike: signs in with its password, never expires, never
 * locks (`passage bench` seeds as many as its concurrency needs). The password is held in
 * memory only, like the demo users' ones.
 */
export interface PlainUser {
  readonly username: string;
  readonly password: string;
}

/** The DN a demo directory gives a user (the demo users and plain users alike). */
export const demoUserDn = (username: string): string => `uid=${username},${PEOPLE}`;

export interface DemoDirectoryPlan {
  readonly users: readonly DemoUser[];
  readonly serviceAccount: DemoServiceAccount;
  readonly entries: readonly LdifEntry[];
}

// No 0/o, 1/l/i: the passwords are read off a terminal and typed into a form.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxx-xxxx-xxxx-xxxx`: about 79 bits, easy to type. */
export const newDemoPassword = (): string =>
  Array.from({ length: 4 }, () =>
    Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  ).join('-');

interface UserPlan {
  readonly key: DemoUserKey;
  readonly username: string;
  readonly agentResult: AgentResult;
  readonly outcome: Outcome;
  readonly mfa: boolean;
  readonly shows: string;
}

const PLANS: readonly UserPlan[] = [
  {
    key: 'signsIn',
    username: 'demo.alice',
    agentResult: 'success',
    outcome: 'signedIn',
    mfa: false,
    shows: 'signs in; any other password: invalidCredentials',
  },
  {
    key: 'expired',
    username: 'demo.expired',
    agentResult: 'passwordExpired',
    outcome: 'passwordExpired',
    mfa: false,
    shows: 'passwordExpired (set 60 days ago, policy: 30)',
  },
  {
    key: 'mustChange',
    username: 'demo.mustchange',
    agentResult: 'mustChangePassword',
    outcome: 'mustChangePassword',
    mfa: false,
    shows: 'mustChangePassword (reset by an administrator)',
  },
  {
    key: 'locked',
    username: 'demo.locked',
    agentResult: 'accountLockedOut',
    outcome: 'lockedOut',
    mfa: false,
    shows: 'lockedOut (locked in the directory)',
  },
  {
    key: 'mfa',
    username: 'demo.mfa',
    agentResult: 'success',
    outcome: 'signedIn',
    mfa: true,
    shows: 'asks for a TOTP code, then signs in; a wrong code: mfaFailed',
  },
];

/**
 * The demo directory's content, with new passwords: the suffix, two password policies, a
 * service account for search-then-bind, one user per outcome OpenLDAP can produce, and the
 * plain users asked for (under the relaxed policy: they sign in, whatever else happens).
 */
export const planDemoDirectory = (
  now: Date,
  plainUsers: readonly PlainUser[] = [],
): DemoDirectoryPlan => {
  const serviceAccount: DemoServiceAccount = {
    dn: `cn=passage-agent,ou=services,${DEMO_BASE_DN}`,
    password: newDemoPassword(),
  };
  const users = PLANS.map((plan): DemoUser => ({
    ...plan,
    dn: demoUserDn(plan.username),
    password: newDemoPassword(),
  }));
  const longAgo = new Date(now.getTime() - 2 * MAX_AGE_SECONDS * 1000);
  const entries: LdifEntry[] = [
    ...suffixEntries(DEMO_BASE_DN, ['people', 'services', 'policies']),
    passwordPolicyEntry(DEMO_DEFAULT_POLICY_DN, {
      maxAgeSeconds: MAX_AGE_SECONDS,
      lockAfterFailures: DIRECTORY_LOCKOUT_FAILURES,
    }),
    passwordPolicyEntry(RELAXED_POLICY_DN, { maxAgeSeconds: 0, lockAfterFailures: null }),
    serviceAccountEntry(serviceAccount.dn, serviceAccount.password, RELAXED_POLICY_DN),
    ...users.map((user) =>
      personEntry({
        dn: user.dn,
        uid: user.username,
        mail: `${user.username}@demo.test`,
        password: user.password,
        policyDn:
          user.key === 'expired' || user.key === 'locked'
            ? DEMO_DEFAULT_POLICY_DN
            : RELAXED_POLICY_DN,
        passwordChangedAt: user.key === 'expired' ? longAgo : now,
        ...(user.key === 'mustChange' ? { mustChange: true } : {}),
        ...(user.key === 'locked' ? { lockedAt: now } : {}),
      }),
    ),
    ...plainUsers.map((user) =>
      personEntry({
        dn: demoUserDn(user.username),
        uid: user.username,
        mail: `${user.username}@demo.test`,
        password: user.password,
        policyDn: RELAXED_POLICY_DN,
        passwordChangedAt: now,
      }),
    ),
  ];
  return { users, serviceAccount, entries };
};
