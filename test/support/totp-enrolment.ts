import { totpCodeAt } from '../../src/infra/mfa/index.js';
import type { ServiceStack } from './service-stack.js';

/**
 * A user enrolled with TOTP for the length of one test, and codes that are certain to be
 * wrong. The tests that need the second factor share the account with tests that must not
 * be asked for it, so an enrolment is removed again whatever the test did.
 */

/** Enrols `username` (issuer `passage`), runs `during` with the secret, then removes it. */
export const withTotpEnrolment = async <T>(
  stack: Pick<ServiceStack, 'enrolments' | 'tenant'>,
  username: string,
  during: (secret: string) => Promise<T>,
): Promise<T> => {
  const { secret } = await stack.enrolments.enrol(stack.tenant, username, {
    issuer: 'passage',
    at: new Date(),
  });
  try {
    return await during(secret);
  } finally {
    await stack.enrolments.remove(stack.tenant, username);
  }
};

/**
 * A well-formed code that the secret's authenticator shows at no instant near now: any
 * fixed code would, now and then, be the right one and make a test flaky.
 */
export const wrongTotpCode = (secret: string): string => {
  const now = Date.now();
  const near = new Set(
    [-2, -1, 0, 1, 2].map((step) => totpCodeAt(secret, new Date(now + step * 30_000))),
  );
  for (let i = 0; ; i += 1) {
    const code = String((i * 111_111) % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
};
