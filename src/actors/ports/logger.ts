/**
 * Structured logs: an event name and fields, written as one JSON line per entry by the
 * adapter. Callers never pass secrets: no password, sealed box or private key goes in a field.
 */
export interface Logger {
  readonly info: (event: string, fields?: Record<string, unknown>) => void;
  readonly warn: (event: string, fields?: Record<string, unknown>) => void;
  readonly error: (event: string, fields?: Record<string, unknown>) => void;
}

/** A logger that keeps nothing, for tests that do not look at logs. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
