/**
 * Accounts of the test directories whose state other tests depend on and that a wrong
 * password could change: `expired` and `locked` follow the lockout policy (slapd locks after
 * 3 failures, the Samba DC after 5), `lockable` is the smart-lockout tests' account, and the
 * others are kept apart for their own tests. Generated user names that could reach one of
 * them (in any case, with any spacing, as a UPN) are not sent with a wrong password: the
 * directories are shared by the whole test run.
 */
const PROTECTED = [
  'expired',
  'locked',
  'lockable',
  'mustchange',
  'acctexpired',
  'disabled',
  'hours',
  'workstation',
  'badpass',
  'svc-passage',
];

/** Lower case, compatibility forms folded, white space, controls and format characters gone. */
const loose = (name: string): string =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{Cc}\p{Cf}]/gu, '');

/** Whether a directory might take `name` for one of the protected accounts. */
export const mayReachProtectedAccount = (name: string): boolean => {
  const folded = loose(name);
  return PROTECTED.some((account) => folded.includes(account));
};
