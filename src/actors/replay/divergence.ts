/**
 * Why a recorded history does not verify. The codes are stable (scripts and auditors branch
 * on them); they are listed in the order the verifier checks a record, so when one record is
 * wrong in several ways the earliest code in this list is the one reported.
 */
export const DIVERGENCE_CODES = [
  /** The stored text is not a record (not JSON, or not a valid `SignInRecord`). */
  'UNREADABLE_RECORD',
  /** The record's content does not hash to its `hash`: it was changed after it was written. */
  'HASH_MISMATCH',
  /** The record belongs to another attempt or tenant than the one being verified. */
  'ATTEMPT_MISMATCH',
  /**
   * `previousHash` is not the hash of the record read before it: a record was removed,
   * inserted, moved, or rewritten and rehashed.
   */
  'CHAIN_BROKEN',
  /** The chain holds but the sequence is not the previous one plus one. */
  'SEQUENCE_GAP',
  /** The record's `machineVersion` or `at` is not its event's. */
  'RECORD_INCONSISTENT',
  /** The event names a machine version this build does not have. */
  'UNKNOWN_MACHINE_VERSION',
  /** A record of an older machine version after a newer one's: no host goes back. */
  'MACHINE_VERSION_WENT_BACK',
  /** The machine does not accept the event in the state the history has reached. */
  'EVENT_NOT_ACCEPTED',
  /**
   * The machine reaches another state than the one the record says (or, for an older
   * version's record, a newer machine reaches another state with the event upcast).
   */
  'STATE_MISMATCH',
] as const;
export type DivergenceCode = (typeof DIVERGENCE_CODES)[number];

/** The first record that does not verify, and why. */
export interface Divergence {
  /** Where in the stream, counting from 1, as read (an unreadable record has no sequence). */
  readonly position: number;
  /** The record's own sequence, or null when it could not be read. */
  readonly sequence: number | null;
  readonly code: DivergenceCode;
  /** For people; branch on `code`. */
  readonly message: string;
}
