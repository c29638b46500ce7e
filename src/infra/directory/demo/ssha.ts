import { createHash, randomBytes } from 'node:crypto';

/**
 * `{SSHA}`, as `slappasswd` makes it: SHA-1 over password and salt, then the salt. Computed
 * here rather than with `slappasswd -s`, which would put the password on a command line that
 * every user of the machine can read in the process list.
 */
export const sshaHash = (password: string): string => {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
};
