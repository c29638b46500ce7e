import { generalizedTime, type LdifEntry } from './ldif.js';
import { sshaHash } from './ssha.js';

/**
 * Builders for the entries of passage's own directories (the tests' slapd, `passage up`'s
 * demo). Account states are written as an administrator's tools leave them (pwdChangedTime,
 * pwdReset, pwdAccountLockedTime), which only slapadd may write: they are operational
 * attributes, refused in an LDAP add. Passwords go in as {SSHA} hashes, never in clear.
 */

/** The suffix entry (`dc=a,dc=b`: dcObject and organization) and organizational units. */
export const suffixEntries = (baseDn: string, units: readonly string[]): LdifEntry[] => {
  const first = /^dc=([^,]+)/i.exec(baseDn)?.[1];
  if (first === undefined) throw new Error(`the base DN must start with dc=: ${baseDn}`);
  return [
    {
      dn: baseDn,
      attributes: [
        ['objectClass', 'dcObject'],
        ['objectClass', 'organization'],
        ['o', first],
        ['dc', first],
      ],
    },
    ...units.map((name): LdifEntry => ({
      dn: `ou=${name},${baseDn}`,
      attributes: [
        ['objectClass', 'organizationalUnit'],
        ['ou', name],
      ],
    })),
  ];
};

export interface PolicyRules {
  /** 0: passwords never expire. */
  readonly maxAgeSeconds: number;
  /** Failed binds before the account locks (until an administrator unlocks), or null. */
  readonly lockAfterFailures: number | null;
}

/** A ppolicy `pwdPolicy`; it needs a structural class beside it, and `device` fits. */
export const passwordPolicyEntry = (dn: string, rules: PolicyRules): LdifEntry => {
  const cn = /^cn=([^,]+)/i.exec(dn)?.[1];
  if (cn === undefined) throw new Error(`a policy DN starts with cn=: ${dn}`);
  return {
    dn,
    attributes: [
      ['objectClass', 'device'],
      ['objectClass', 'pwdPolicy'],
      ['cn', cn],
      ['pwdAttribute', 'userPassword'],
      ['pwdMaxAge', String(rules.maxAgeSeconds)],
      // No warnings and no grace binds: an expired password is refused outright.
      ['pwdExpireWarning', '0'],
      ['pwdGraceAuthNLimit', '0'],
      ...(rules.lockAfterFailures === null
        ? [['pwdLockout', 'FALSE'] as const]
        : ([
            ['pwdLockout', 'TRUE'],
            ['pwdMaxFailure', String(rules.lockAfterFailures)],
            // 0: locked until an administrator unlocks, so a long run cannot see it unlock.
            ['pwdLockoutDuration', '0'],
            ['pwdFailureCountInterval', '0'],
          ] as const)),
      ['pwdMustChange', 'TRUE'],
      ['pwdAllowUserChange', 'TRUE'],
    ],
  };
};

/** A service account for search-then-bind: reads entries, never passwords (see the ACLs). */
export const serviceAccountEntry = (dn: string, password: string, policyDn: string): LdifEntry => {
  const cn = /^cn=([^,]+)/i.exec(dn)?.[1];
  if (cn === undefined) throw new Error(`a service account DN starts with cn=: ${dn}`);
  return {
    dn,
    attributes: [
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', cn],
      ['userPassword', sshaHash(password)],
      ['pwdPolicySubentry', policyDn],
    ],
  };
};

export interface PersonInput {
  readonly dn: string;
  readonly uid: string;
  readonly mail: string;
  readonly password: string;
  readonly policyDn: string;
  /** When the password was last set: long enough ago, and it has expired under its policy. */
  readonly passwordChangedAt: Date;
  /** pwdReset: the password works once more, and the user must change it. */
  readonly mustChange?: boolean;
  /** pwdAccountLockedTime: locked since then (for good under a policy without a duration). */
  readonly lockedAt?: Date;
}

/** A person who signs in by uid (or mail), in the state the input describes. */
export const personEntry = (person: PersonInput): LdifEntry => ({
  dn: person.dn,
  attributes: [
    ['objectClass', 'inetOrgPerson'],
    ['uid', person.uid],
    ['cn', person.uid],
    ['sn', person.uid],
    ['mail', person.mail],
    ['userPassword', sshaHash(person.password)],
    ['pwdPolicySubentry', person.policyDn],
    ['pwdChangedTime', generalizedTime(person.passwordChangedAt)],
    ...(person.mustChange === true ? [['pwdReset', 'TRUE'] as const] : []),
    ...(person.lockedAt === undefined
      ? []
      : [['pwdAccountLockedTime', generalizedTime(person.lockedAt)] as const]),
  ],
});
