/** Stable codes of every refusal the lockout decider can give. */
export const LOCKOUT_ERROR_CODES = [
  'ACCOUNT_MISMATCH',
  'INVALID_COMMAND',
  'INVALID_POLICY',
] as const;
export type LockoutErrorCode = (typeof LOCKOUT_ERROR_CODES)[number];

export interface LockoutError {
  readonly code: LockoutErrorCode;
  readonly message: string;
}

export const lockoutError = (code: LockoutErrorCode, message: string): LockoutError => ({
  code,
  message,
});
