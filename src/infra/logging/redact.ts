/**
 * Field names whose values never reach a log line, at any depth: a caller that slips (a
 * request body logged whole, an error that carries its input) still writes no secret.
 * Matched without case and ignoring `-`/`_`, so `Password`, `bind_password` and `mfaCode`
 * are all caught. `key` alone is not a secret here (it names KV entries); `privateKey` is.
 */
const SECRET_FIELD =
  /(password|passwd|secret|otp|mfacode|token|ciphertext|sealed|privatekey|cookie|authorization)/;

/**
 * A field named `code` carries a stable error code (`NATS_UNREACHABLE`) everywhere in
 * passage's logs; anything else under that name (six digits from a form) is treated as a
 * one-time code and redacted.
 */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

const normalised = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

const redactsField = (name: string, value: unknown): boolean => {
  const key = normalised(name);
  if (SECRET_FIELD.test(key)) return true;
  return key === 'code' && !(typeof value === 'string' && ERROR_CODE.test(value));
};

/** A copy of `value` with every secret field's value replaced by `[redacted]`. */
export const redactSecrets = (value: unknown, depth = 0): unknown => {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = redactsField(key, field) ? REDACTED : redactSecrets(field, depth + 1);
  }
  return copy;
};
