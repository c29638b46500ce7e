import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MfaAdmin, MfaEnrolments, MfaVerdict } from '../../src/actors/ports/mfa.js';
import { totpCodeAt } from '../../src/infra/mfa/totp.js';
import { HOOK_TIMEOUT_MS, TEST_TIMEOUT_MS } from './bounded-waits.js';
import { freshTenant } from './fresh-names.js';

/**
 * What every MFA adapter must do, as src/actors/ports/mfa.ts documents it: the in-memory and
 * the NATS KV enrolments both run this suite.
 *
 * One adapter serves every test (made in beforeAll); each test works in a tenant of its own.
 * Time is never the real clock: every verify is given an instant near AT, which is what makes
 * the window checks exact (a real clock could cross a step boundary mid-test).
 */

export type MfaEnrolmentsUnderTest = MfaEnrolments & MfaAdmin;

export type MakeMfaEnrolments = () => Promise<{
  readonly enrolments: MfaEnrolmentsUnderTest;
  readonly cleanup: () => Promise<void>;
}>;

const STEP_MS = 30_000;
/** Halfway through a 30 s step (10:00:00 is a step boundary), so ±1 s never changes step. */
export const AT = new Date('2026-11-25T10:00:15.000Z');
const ISSUER = 'passage-test';

/** `steps` whole time steps after AT (negative: before). */
export const stepsFromAt = (steps: number, from: Date = AT): Date =>
  new Date(from.getTime() + steps * STEP_MS);

/** The code an app shows `steps` steps after AT. */
export const codeAt = (secret: string, steps: number): string =>
  totpCodeAt(secret, stepsFromAt(steps));

/** The codes of the steps from two before AT to two after, in order. */
const nearbyCodes = (secret: string): string[] => [-2, -1, 0, 1, 2].map((s) => codeAt(secret, s));

const valid: MfaVerdict = { kind: 'valid' };
const invalid: MfaVerdict = { kind: 'invalid' };
const reused: MfaVerdict = { kind: 'reused' };
const notEnrolled: MfaVerdict = { kind: 'notEnrolled' };

/** Strings that look a little like codes and are not six ASCII digits. */
const GARBAGE_CODES: readonly string[] = [
  '',
  '12345',
  '1234567',
  'abcdef',
  'ABCDEF',
  '12345a',
  ' 12345',
  '12345 ',
  '123 456',
  '-12345',
  '+12345',
  '1e+005',
  '0x1234',
  '12.456',
  '١٢٣٤٥٦', // Arabic-Indic digits: six characters, twelve bytes
  '１２３４５６', // full-width digits
  '𝟏𝟐𝟑𝟒𝟓𝟔', // mathematical bold digits, surrogate pairs
  '\u0000\u0000\u0000\u0000\u0000\u0000',
  '\uD800\uD800\uD800\uD800\uD800\uD800',
  '9'.repeat(10_000),
  'x'.repeat(10_000),
];

export const describeMfaEnrolmentsContract = (name: string, make: MakeMfaEnrolments): void => {
  describe(`MfaEnrolments contract: ${name}`, () => {
    let mfa: MfaEnrolmentsUnderTest;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const made = await make();
      mfa = made.enrolments;
      cleanup = made.cleanup;
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await cleanup?.();
    }, HOOK_TIMEOUT_MS);

    /**
     * Enrols the user and returns the secret, enrolling again (replace) in the rare case
     * (about 1 in 100 000) that two of the steps near AT share a code, or that a code is one
     * of `avoid`: the window checks below would otherwise pass or fail by chance. The first
     * enrolment replaces only when told to, so tests of `replace` still see its effect.
     */
    const enrolled = async (
      tenant: string,
      username: string,
      options: { readonly replace?: boolean; readonly avoid?: readonly string[] } = {},
    ): Promise<string> => {
      const avoid = options.avoid ?? [];
      for (let tries = 0; tries < 10; tries += 1) {
        const { secret } = await mfa.enrol(tenant, username, {
          issuer: ISSUER,
          at: AT,
          replace: options.replace === true || tries > 0,
        });
        const codes = nearbyCodes(secret);
        if (new Set(codes).size === codes.length && !codes.some((c) => avoid.includes(c))) {
          return secret;
        }
      }
      throw new Error('ten secrets in a row had colliding codes: the secrets are not random');
    };

    it(
      'says a user without a second factor is not enrolled, whatever the code',
      async () => {
        const tenant = freshTenant();
        const other = freshTenant();
        const secret = await enrolled(other, 'alice');
        expect(await mfa.isEnrolled(tenant, 'alice')).toBe(false);
        // Enrolled in another tenant is not enrolled in this one.
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual(notEnrolled);
        expect(await mfa.verify(tenant, 'alice', 'garbage', AT)).toEqual(notEnrolled);
        expect(await mfa.isEnrolled(other, 'alice')).toBe(true);
        // A tenant that could never be a key is not enrolled either, and nothing throws.
        for (const odd of ['*', '>', 'a.b', '', 'UPPER', 'x'.repeat(1_000)]) {
          expect(await mfa.isEnrolled(odd, 'alice')).toBe(false);
          expect(await mfa.verify(odd, 'alice', '123456', AT)).toEqual(notEnrolled);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'enrols with a fresh base32 secret, handed over as an otpauth URI with its parameters',
      async () => {
        const tenant = freshTenant();
        const enrolment = await mfa.enrol(tenant, 'Alice Smith', { issuer: ISSUER, at: AT });
        expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
        const uri = new URL(enrolment.uri);
        expect(enrolment.uri.startsWith(`otpauth://totp/${ISSUER}:Alice%20Smith?`)).toBe(true);
        expect(uri.protocol).toBe('otpauth:');
        expect(uri.host).toBe('totp');
        expect(decodeURIComponent(uri.pathname)).toBe(`/${ISSUER}:Alice Smith`);
        expect(Object.fromEntries(uri.searchParams)).toEqual({
          secret: enrolment.secret,
          issuer: ISSUER,
          algorithm: 'SHA1',
          digits: '6',
          period: '30',
        });
        expect(await mfa.isEnrolled(tenant, 'Alice Smith')).toBe(true);
        // Another user's secret is another secret.
        const other = await mfa.enrol(tenant, 'bob', { issuer: ISSUER, at: AT });
        expect(other.secret).not.toBe(enrolment.secret);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'accepts the code of the step `at` is in',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'judges by the instant it is given, not by the clock it runs on',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        // A code of a step years from now, at that instant: only `at` can make it valid.
        const future = new Date('2031-06-01T12:00:05.000Z');
        const code = totpCodeAt(secret, future);
        expect(await mfa.verify(tenant, 'alice', code, future)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'accepts the previous step’s code and the next step’s, and refuses codes two steps away',
      async () => {
        const tenant = freshTenant();
        // One user per case: accepting a code uses its step up.
        const early = await enrolled(tenant, 'early');
        const late = await enrolled(tenant, 'late');
        const far = await enrolled(tenant, 'far');
        expect(await mfa.verify(tenant, 'early', codeAt(early, -1), AT)).toEqual(valid);
        expect(await mfa.verify(tenant, 'late', codeAt(late, 1), AT)).toEqual(valid);
        expect(await mfa.verify(tenant, 'far', codeAt(far, -2), AT)).toEqual(invalid);
        expect(await mfa.verify(tenant, 'far', codeAt(far, 2), AT)).toEqual(invalid);
        // The refusals used nothing up: the current code still works.
        expect(await mfa.verify(tenant, 'far', codeAt(far, 0), AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'accepts a code once: the same code again is reused, even a step later',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        const code = codeAt(secret, 0);
        expect(await mfa.verify(tenant, 'alice', code, AT)).toEqual(valid);
        expect(await mfa.verify(tenant, 'alice', code, AT)).toEqual(reused);
        // A step later the code is still inside the window, and still used.
        expect(await mfa.verify(tenant, 'alice', code, stepsFromAt(1))).toEqual(reused);
        // Two steps later it is outside the window: wrong, whether used or not.
        expect(await mfa.verify(tenant, 'alice', code, stepsFromAt(2))).toEqual(invalid);
        // The next step's code is a new code.
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 1), AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses a code of an earlier step than one already used, as reused',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 1), AT)).toEqual(valid);
        // Never used, and inside the window: still refused, a newer code has been used.
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual(reused);
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, -1), AT)).toEqual(reused);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'lets exactly one of several concurrent verifies of one code through',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        const code = codeAt(secret, 0);
        const verdicts = await Promise.all(
          Array.from({ length: 8 }, () => mfa.verify(tenant, 'alice', code, AT)),
        );
        expect(verdicts.filter((v) => v.kind === 'valid')).toHaveLength(1);
        expect(verdicts.filter((v) => v.kind === 'reused')).toHaveLength(7);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'compares user names without case (and in one Unicode form)',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'Alice.Smith');
        expect(await mfa.isEnrolled(tenant, 'alice.smith')).toBe(true);
        expect(await mfa.isEnrolled(tenant, 'ALICE.SMITH')).toBe(true);
        expect(await mfa.verify(tenant, 'aLiCe.SmItH', codeAt(secret, 0), AT)).toEqual(valid);
        // One user, one set of used steps, whatever the spelling.
        expect(await mfa.verify(tenant, 'alice.smith', codeAt(secret, 0), AT)).toEqual(reused);
        await expect(
          mfa.enrol(tenant, 'ALICE.smith', { issuer: ISSUER, at: AT }),
        ).rejects.toMatchObject({ code: 'MFA_ALREADY_ENROLLED' });
        // "é" precomposed and as e + combining accent are one name.
        await enrolled(tenant, 'Ren\u00e9');
        expect(await mfa.isEnrolled(tenant, 'RENE\u0301')).toBe(true);
        expect(await mfa.isEnrolled(tenant, 'Rene')).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses to enrol a user twice unless told to replace, keeping the first secret',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        await expect(mfa.enrol(tenant, 'alice', { issuer: ISSUER, at: AT })).rejects.toMatchObject({
          code: 'MFA_ALREADY_ENROLLED',
        });
        await expect(
          mfa.enrol(tenant, 'alice', { issuer: ISSUER, at: AT, replace: false }),
        ).rejects.toMatchObject({ code: 'MFA_ALREADY_ENROLLED' });
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'replaces a secret when told to: the old codes stop working, the new ones start fresh',
      async () => {
        const tenant = freshTenant();
        const old = await enrolled(tenant, 'alice');
        expect(await mfa.verify(tenant, 'alice', codeAt(old, 0), AT)).toEqual(valid);
        const fresh = await enrolled(tenant, 'alice', { replace: true, avoid: nearbyCodes(old) });
        expect(fresh).not.toBe(old);
        expect(await mfa.verify(tenant, 'alice', codeAt(old, 1), AT)).toEqual(invalid);
        // The steps used with the old secret are not held against the new one.
        expect(await mfa.verify(tenant, 'alice', codeAt(fresh, 0), AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'removes an enrolment once; the user can enrol again afterwards',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        expect(await mfa.remove(tenant, 'ALICE')).toBe(true);
        expect(await mfa.isEnrolled(tenant, 'alice')).toBe(false);
        expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual(notEnrolled);
        expect(await mfa.remove(tenant, 'alice')).toBe(false);
        expect(await mfa.remove(tenant, 'nobody')).toBe(false);
        expect(await mfa.remove('*', 'alice')).toBe(false);
        // No replace needed: there is nothing to replace.
        const again = await mfa.enrol(tenant, 'alice', { issuer: ISSUER, at: AT });
        expect(again.secret).not.toBe(secret);
        expect(await mfa.isEnrolled(tenant, 'alice')).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses to enrol in a tenant that is not a slug, or a user without a usable name',
      async () => {
        const tenant = freshTenant();
        const cases: [string, string, string][] = [
          ['*', 'alice', 'MFA_INVALID_TENANT'],
          ['a.b', 'alice', 'MFA_INVALID_TENANT'],
          [tenant, '', 'MFA_INVALID_USERNAME'],
          [tenant, '   ', 'MFA_INVALID_USERNAME'],
          // A lone surrogate has no UTF-8 form: no URI or QR code could carry the name.
          [tenant, 'al\uD800ice', 'MFA_INVALID_USERNAME'],
        ];
        for (const [t, username, code] of cases) {
          await expect(mfa.enrol(t, username, { issuer: ISSUER, at: AT })).rejects.toMatchObject({
            code,
          });
        }
        expect(await mfa.isEnrolled(tenant, '')).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'judges codes that are not six ASCII digits invalid, and uses nothing up doing so',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        for (const garbage of GARBAGE_CODES) {
          expect(await mfa.verify(tenant, 'alice', garbage, AT)).toEqual(invalid);
        }
        // The right code with something around it is not the right code.
        const code = codeAt(secret, 0);
        for (const padded of [` ${code}`, `${code}\n`, `${code}0`, code.slice(1)]) {
          expect(await mfa.verify(tenant, 'alice', padded, AT)).toEqual(invalid);
        }
        expect(await mfa.verify(tenant, 'alice', code, AT)).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'never throws for any string, and lets one through only when it is a right, unused code',
      async () => {
        const tenant = freshTenant();
        const secret = await enrolled(tenant, 'alice');
        // What the window accepts at AT: each code with its step (they are distinct).
        const stepOf = new Map([-1, 0, 1].map((step) => [codeAt(secret, step), step]));
        let lastUsed: number | undefined;
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              fc.string(),
              fc.string({ unit: 'binary', maxLength: 40 }),
              fc.string({ unit: 'grapheme', maxLength: 12 }),
              fc.stringMatching(/^[0-9]{6}$/),
              fc.stringMatching(/^\s*[0-9]{5,7}\s*$/),
              // The right codes, the ones just outside the window, and long strings.
              fc.constantFrom(...nearbyCodes(secret)),
              fc.string({ minLength: 1_000, maxLength: 20_000, size: 'max' }),
            ),
            async (code) => {
              const verdict = await mfa.verify(tenant, 'alice', code, AT);
              // A model of the port: the code's step if it has one, and the steps used so far.
              const step = stepOf.get(code);
              if (step === undefined) {
                expect(verdict).toEqual(invalid);
              } else if (lastUsed !== undefined && step <= lastUsed) {
                expect(verdict).toEqual(reused);
              } else {
                expect(verdict).toEqual(valid);
                lastUsed = step;
              }
            },
          ),
          { numRuns: 300 },
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
};
