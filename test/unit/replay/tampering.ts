import { hashRecord } from '../../../src/actors/records/sign-in-record.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';

/**
 * What someone with write access to the store might do to a recorded history. Each returns
 * a new array and leaves its input alone. Indexes count from 0.
 */

const at = <T>(items: readonly T[], index: number): T => {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at ${index}`);
  return item;
};

/** The record recomputed with its new content, as an attacker who knows the scheme would. */
export const rehashed = (record: SignInRecord): SignInRecord => ({
  ...record,
  hash: hashRecord(record),
});

/** Record `index` changed; its hash kept, unless the change recomputes it. */
export const modified = (
  records: readonly SignInRecord[],
  index: number,
  change: (record: SignInRecord) => SignInRecord,
): SignInRecord[] => records.map((record, i) => (i === index ? change(record) : record));

export const deleted = (records: readonly SignInRecord[], index: number): SignInRecord[] =>
  records.filter((_, i) => i !== index);

export const swapped = (records: readonly SignInRecord[], i: number, j: number): SignInRecord[] =>
  records.map((record, k) => (k === i ? at(records, j) : k === j ? at(records, i) : record));

/** A copy of record `index` inserted before position `before` (0..length). */
export const duplicated = (
  records: readonly SignInRecord[],
  index: number,
  before: number,
): SignInRecord[] => [...records.slice(0, before), at(records, index), ...records.slice(before)];

export { at as recordAt };
