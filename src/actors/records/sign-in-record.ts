import { createHash } from 'node:crypto';
import { left, type Either } from 'fp-ts/lib/Either.js';
import type { SignInEvent } from '../../domain/signin/events.js';
import type { RecordedSignInEvent } from '../../domain/signin/upcast.js';
import { isReleasedMachineVersion } from '../../domain/signin/version.js';
import type { SignInStateName } from '../../domain/signin/machine.js';
import { stateNameOf, type SignInState } from '../../domain/signin/state.js';
import type { DecodeError } from '../../domain/wire/decode.js';
import { decodeSignInRecord, type SignInRecord } from '../../domain/wire/service-messages.js';
import { canonicalJson } from './canonical-json.js';

/**
 * One persisted transition of a sign-in attempt, and the per-attempt hash chain that links
 * the records (see docs/records-and-replay.md). The record format is `SignInRecordSchema`;
 * this file builds, hashes, encodes and decodes it.
 */

/** The version of the record format, the `v` every record carries. */
export const SIGN_IN_RECORD_VERSION = 1 as const;

/** A record before its hash is known: every field the hash covers. */
export type UnhashedSignInRecord = Omit<SignInRecord, 'hash'>;

/**
 * SHA-256, in lower-case hex, over the RFC 8785 canonical JSON of every field of the record
 * but `hash`. A `hash` field on the argument is left out on purpose rather than trusted to
 * be absent: hashing a whole record must give the hash it should carry, not a hash of it.
 */
export const hashRecord = (record: UnhashedSignInRecord): string => {
  const content = Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'hash'));
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
};

export interface RecordFields {
  readonly tenant: string;
  readonly attemptId: string;
  /** 1 for the attempt's first record, then one more for each record. */
  readonly sequence: number;
  /** An event of the current machine, or (for tests and tools) of an older released one. */
  readonly event: RecordedSignInEvent;
  /** The name of the state the attempt is in after the event. */
  readonly state: SignInStateName;
  /** The hash of the attempt's previous record, null for the first. */
  readonly previousHash: string | null;
}

/**
 * A hashed record. The machine version and the time are copied from the event, so the
 * record names the machine that must replay it without anyone parsing the event first.
 */
export const buildRecord = (fields: RecordFields): SignInRecord => {
  const common = {
    v: SIGN_IN_RECORD_VERSION,
    tenant: fields.tenant,
    attemptId: fields.attemptId,
    sequence: fields.sequence,
    at: fields.event.at,
    state: fields.state,
    previousHash: fields.previousHash,
  };
  const version = fields.event.machineVersion;
  // The version picks the event's shape (one record schema per released version).
  if (!isReleasedMachineVersion(version)) {
    throw new Error(`no record format for machine v${version}`);
  }
  const unhashed: UnhashedSignInRecord = {
    ...common,
    machineVersion: version,
    event: fields.event,
  };
  return { ...unhashed, hash: hashRecord(unhashed) };
};

/**
 * The chain step: the record that follows `previous` (null before the first) for an event
 * the attempt has just accepted, with the state it reached. The attempt's identity comes
 * from the previous record, or for the first record from its `SignInStarted` event, the
 * only event a new attempt accepts; any other first event is a caller's mistake and throws.
 */
export const nextRecord = (
  previous: SignInRecord | null,
  event: SignInEvent,
  stateAfter: SignInState,
): SignInRecord => {
  const state = stateNameOf(stateAfter);
  if (previous !== null) {
    return buildRecord({
      tenant: previous.tenant,
      attemptId: previous.attemptId,
      sequence: previous.sequence + 1,
      event,
      state,
      previousHash: previous.hash,
    });
  }
  if (event.type !== 'SignInStarted') {
    throw new Error(`an attempt's first record must be SignInStarted, not ${event.type}`);
  }
  return buildRecord({
    tenant: event.tenant,
    attemptId: event.attemptId,
    sequence: 1,
    event,
    state,
    previousHash: null,
  });
};

/**
 * The text stored in the event store: the record's canonical JSON, so that the stored bytes
 * are the hashed bytes plus the `hash` field, and equal records are stored identically.
 */
export const encodeRecord = (record: SignInRecord): string => canonicalJson(record);

/** Why a stored text is not a record; `unknownMachineVersion` when a newer build wrote it. */
export interface RecordDecodeError extends DecodeError {
  readonly unknownMachineVersion?: number;
}

const machineVersionIn = (text: string): unknown => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && 'machineVersion' in value
      ? value.machineVersion
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Reads a stored record. The schemas are strict: an unknown field anywhere (a `password`
 * someone added, say) is refused, never carried along. A record of a machine version this
 * build does not have is refused with that version named, so that a reader can tell "written
 * by a newer passage" from "damaged". Never throws.
 */
export const decodeRecord = (text: string): Either<RecordDecodeError, SignInRecord> => {
  const decoded = decodeSignInRecord(text);
  if (decoded._tag === 'Right') return decoded;
  const version = machineVersionIn(text);
  if (Number.isSafeInteger(version) && !isReleasedMachineVersion(version)) {
    return left({
      ...decoded.left,
      message: `record written by sign-in machine v${String(version)}, which this build does not have`,
      unknownMachineVersion: version as number,
    });
  }
  return decoded;
};
