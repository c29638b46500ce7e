import { setTimeout as delay } from 'node:timers/promises';
import { TOTP_PERIOD_SECONDS, TOTP_WINDOW, totpCodeAt, totpStepAt } from '../infra/mfa/totp.js';

export interface TotpCodes {
  /**
   * A code the authenticator shows, one the service has not taken yet: a code works once, so
   * after this driver used a time step it takes the next one (the service accepts one step
   * ahead) and, past that, waits for the clock.
   */
  readonly right: (signal: AbortSignal) => Promise<string>;
  /** A well-formed code the authenticator shows at no instant near now. */
  readonly wrong: () => string;
}

const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;

export const totpCodes = (
  secret: string,
  now: () => Date,
  sleep: (ms: number, signal: AbortSignal) => Promise<void> = (ms, signal) =>
    delay(ms, undefined, { signal }),
): TotpCodes => {
  // The last step this driver used; others (a person, another driver) are not known here.
  let lastUsed = -Infinity;
  const codeOfStep = (step: number) => totpCodeAt(secret, new Date(step * PERIOD_MS));
  return {
    right: async (signal) => {
      for (;;) {
        const current = totpStepAt(now());
        for (let step = current; step <= current + TOTP_WINDOW; step += 1) {
          if (step > lastUsed) {
            lastUsed = step;
            return codeOfStep(step);
          }
        }
        // Every step the service takes now is used: wait for the next one to start.
        const nextStepAt = (current + 1) * PERIOD_MS;
        await sleep(Math.max(50, nextStepAt - now().getTime()), signal);
      }
    },
    wrong: () => {
      const at = now().getTime();
      const near = new Set(
        [-2, -1, 0, 1, 2].map((k) => totpCodeAt(secret, new Date(at + k * PERIOD_MS))),
      );
      for (let i = 0; ; i += 1) {
        const code = String((i * 111_111) % 1_000_000).padStart(6, '0');
        if (!near.has(code)) return code;
      }
    },
  };
};
