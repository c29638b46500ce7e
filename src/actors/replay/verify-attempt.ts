import type { Outcome } from '../../domain/outcomes/vocabulary.js';
import type { SignInEventType } from '../../domain/signin/events.js';
import type { SignInStateName } from '../../domain/signin/machine.js';
import {
  RELEASED_MACHINES,
  type ReleasedMachine,
  type VersionedSignInState,
} from '../../domain/signin/released-machines.js';
import type { SignInRecord } from '../../domain/wire/service-messages.js';
import { createHash } from 'node:crypto';
import { decodeRecord, hashRecord, type RecordDecodeError } from '../records/sign-in-record.js';
import type { Divergence, DivergenceCode } from './divergence.js';
import { eventDetails, type EventDetails } from './event-details.js';

/**
 * The replay library: reads an attempt's records in order, checks each one against its
 * hash, the chain, the attempt and the machine version it names, folds its event through
 * that machine, and stops at the first record that does not verify.
 *
 * A history is folded under every released machine from its first record's version on:
 * each record is checked against the fold of the version that wrote it, and its event,
 * upcast, must also be accepted by every newer machine and lead it to the same state. So an
 * old history is proven to replay exactly under its own machine, and to carry on under the
 * current one as a host would continue it.
 *
 * It holds one record at a time (plus the timeline it returns), so a long history can be
 * streamed from the store; `createAttemptVerifier` is the same check one record at a time.
 */

/** What a reader hands the verifier: a decoded record, or why the stored text was unreadable. */
export type RecordInput = SignInRecord | RecordDecodeError;

/** What the verifier knows in advance about the attempt (from the stream it reads, say). */
export interface ExpectedAttempt {
  readonly tenant?: string;
  readonly attemptId?: string;
}

/** One line of the replay: a record as read, and what the machine made of it. */
export interface TimelineEntry {
  /** Where in the stream, counting from 1. */
  readonly position: number;
  /** The record's sequence; null when the record could not be read. */
  readonly sequence: number | null;
  readonly at: string | null;
  readonly eventType: SignInEventType | null;
  /** The event's non-secret fields (see event-details.ts). */
  readonly details: EventDetails;
  readonly stateBefore: SignInStateName;
  /** The state the machine reached; null when the record was refused before the machine ran. */
  readonly stateAfter: SignInStateName | null;
  /** The state the record says the attempt reached. */
  readonly recordedState: SignInStateName | null;
  readonly verified: boolean;
  readonly divergence?: Divergence;
}

export interface AttemptVerification {
  /** True when every record read verified (an empty history included: see `records`). */
  readonly ok: boolean;
  readonly tenant: string | null;
  readonly attemptId: string | null;
  /** Records read, the divergent one included; reading stops there. */
  readonly records: number;
  readonly verifiedRecords: number;
  /** The state after the last record that verified. */
  readonly finalState: SignInStateName;
  readonly outcome: Outcome | null;
  /**
   * The hash of the last record that verified. Kept somewhere else (a ticket, an audit
   * log), it lets a later verification notice records removed from the end.
   */
  readonly lastHash: string | null;
  readonly timeline: readonly TimelineEntry[];
  readonly divergence?: Divergence;
}

export interface VerifierOptions {
  /**
   * Keep one timeline entry per record (default). Off, only the verdict is kept: what a
   * verifier of many attempts at once wants, where entries would be memory for nothing.
   */
  readonly keepTimeline?: boolean;
  /** The released machines to replay under; this build's own by default. */
  readonly machines?: readonly ReleasedMachine[];
}

export interface AttemptVerifier {
  /** Checks the next record. False once a record has diverged: later ones are not looked at. */
  /**
   * Checks the next record. With the text it was stored as, the hash is checked on that
   * text when it is canonical (the common case), which spares serialising the record again.
   */
  readonly check: (input: RecordInput, storedText?: string) => boolean;
  /** The verification so far. */
  readonly result: () => AttemptVerification;
  /** Where the records verified so far leave the attempt; cheap, unlike `result`. */
  readonly current: () => { readonly state: SignInStateName; readonly outcome: Outcome | null };
}

const isUnreadable = (input: RecordInput): input is RecordDecodeError =>
  'issues' in input && 'code' in input;

const short = (hash: string | null): string => (hash === null ? 'none' : `${hash.slice(0, 12)}…`);

/**
 * Whether the stored text, less its `hash` member, hashes to `hash`. A record is stored as
 * canonical JSON, where `hash` sits between `event` and `machineVersion` and no other object
 * has such a member (the schemas are strict), so removing it leaves exactly the text that was
 * hashed. If this says yes, the decoded record is what was hashed (the text parses to it);
 * if no (a text stored in another form), the caller hashes the decoded record to decide.
 */
const storedTextHashes = (text: string, hash: string): boolean => {
  const member = `,"hash":"${hash}"`;
  const at = text.indexOf(member);
  if (at < 0) return false;
  const hashed = text.slice(0, at) + text.slice(at + member.length);
  return createHash('sha256').update(hashed, 'utf8').digest('hex') === hash;
};

/** The first thing wrong with a readable record before its event is applied, if anything. */
const findRecordProblem = (
  record: SignInRecord,
  identity: ExpectedAttempt,
  previous: { readonly sequence: number; readonly hash: string } | null,
  storedText: string | undefined,
): { readonly code: DivergenceCode; readonly message: string } | null => {
  const label = `record ${record.sequence}`;
  const recomputed =
    storedText !== undefined && storedTextHashes(storedText, record.hash)
      ? record.hash
      : hashRecord(record);
  if (recomputed !== record.hash) {
    return {
      code: 'HASH_MISMATCH',
      message: `${label} was changed after it was written: its content hashes to ${short(recomputed)}, not to its recorded hash ${short(record.hash)}`,
    };
  }
  if (
    (identity.tenant !== undefined && record.tenant !== identity.tenant) ||
    (identity.attemptId !== undefined && record.attemptId !== identity.attemptId)
  ) {
    return {
      code: 'ATTEMPT_MISMATCH',
      message: `${label} belongs to attempt ${record.attemptId} of tenant ${record.tenant}, not to attempt ${identity.attemptId ?? record.attemptId} of tenant ${identity.tenant ?? record.tenant}`,
    };
  }
  const event = record.event;
  if (
    event.type === 'SignInStarted' &&
    (event.tenant !== record.tenant || event.attemptId !== record.attemptId)
  ) {
    return {
      code: 'ATTEMPT_MISMATCH',
      message: `${label} is filed under attempt ${record.attemptId} of tenant ${record.tenant}, but its event started attempt ${event.attemptId} of tenant ${event.tenant}`,
    };
  }
  // The chain is checked before the numbering: it is the link a writer cannot forge without
  // rehashing, and a record removed, moved or inserted breaks it whatever its number says.
  const expectedPrevious = previous?.hash ?? null;
  const expectedSequence = (previous?.sequence ?? 0) + 1;
  if (record.previousHash !== expectedPrevious) {
    const numbering =
      record.sequence === expectedSequence
        ? ''
        : ` (and it is numbered ${record.sequence} where ${expectedSequence} was due)`;
    return {
      code: 'CHAIN_BROKEN',
      message:
        previous === null
          ? `${label} is the first record read but names a previous record ${short(record.previousHash)}: the records before it are missing${numbering}`
          : `${label} names ${short(record.previousHash)} as the previous record's hash, but the record read before it (sequence ${previous.sequence}) has ${short(previous.hash)}: a record was removed, inserted, moved or rewritten${numbering}`,
    };
  }
  if (record.sequence !== expectedSequence) {
    return {
      code: 'SEQUENCE_GAP',
      message: `${label} follows ${previous === null ? 'nothing' : `record ${previous.sequence}`} in the chain but is numbered ${record.sequence}, not ${expectedSequence}`,
    };
  }
  if (record.machineVersion !== event.machineVersion || record.at !== event.at) {
    return {
      code: 'RECORD_INCONSISTENT',
      message: `${label} says machine v${record.machineVersion} at ${record.at}, but its event says machine v${event.machineVersion} at ${event.at}`,
    };
  }
  return null;
};

/** The first thing wrong with the event once the record is sound, if anything. */
interface FoldStep {
  readonly folds: readonly VersionedSignInState[];
  readonly own: VersionedSignInState;
}
type FoldProblem = {
  readonly code: DivergenceCode;
  readonly message: string;
  stateAfter?: SignInStateName;
};

/**
 * Folds a record's event under its own machine and every newer one (upcast), dropping the
 * folds of older machines: a history never goes back to them.
 */
const foldRecord = (
  machines: readonly ReleasedMachine[],
  folds: readonly VersionedSignInState[],
  record: SignInRecord,
): FoldStep | FoldProblem => {
  const label = `record ${record.sequence}`;
  const version = record.machineVersion;
  if (folds[0] !== undefined && version < folds[0].version) {
    return {
      code: 'MACHINE_VERSION_WENT_BACK',
      message: `${label} was written by machine v${version}, after records of machine v${folds[0].version}: no host goes back to an older machine`,
    };
  }
  const current =
    folds.length > 0
      ? folds.filter((fold) => fold.version >= version)
      : machines.filter((m) => m.version >= version).map((m) => m.initial());
  const next: VersionedSignInState[] = [];
  for (const fold of current) {
    const machine = machines.find((m) => m.version === fold.version);
    if (machine === undefined) throw new Error(`machine v${fold.version} is not released`);
    const applied = machine.apply(fold, record.event);
    if (applied._tag === 'Left') {
      return { code: applied.left.code, message: `${label}: ${applied.left.message}` };
    }
    next.push(applied.right);
  }
  const own = next.find((fold) => fold.version === version);
  if (own === undefined) {
    return {
      code: 'UNKNOWN_MACHINE_VERSION',
      message: `${label} was written by machine v${version}, which this build does not have`,
    };
  }
  if (own.name !== record.state) {
    return {
      code: 'STATE_MISMATCH',
      message: `${label} says ${record.event.type} left the attempt in ${record.state}, but machine v${version} reaches ${own.name}`,
      stateAfter: own.name,
    };
  }
  const differing = next.find((fold) => fold.name !== own.name);
  if (differing !== undefined) {
    return {
      code: 'STATE_MISMATCH',
      message: `${label}: machine v${version} reaches ${own.name}, but machine v${differing.version} reaches ${differing.name} with the event upcast`,
      stateAfter: own.name,
    };
  }
  return { folds: next, own };
};

/** A verifier that takes an attempt's records one at a time, in stream order. */
export const createAttemptVerifier = (
  expected: ExpectedAttempt = {},
  options: VerifierOptions = {},
): AttemptVerifier => {
  const keepTimeline = options.keepTimeline ?? true;
  const machines = options.machines ?? RELEASED_MACHINES;
  // What every record must match: the caller's expectation, completed by the first record
  // that verifies.
  let identity: ExpectedAttempt = expected;
  let folds: readonly VersionedSignInState[] = [];
  let stateName: SignInStateName = 'notStarted';
  let outcome: Outcome | null = null;
  let previous: { sequence: number; hash: string } | null = null;
  let divergence: Divergence | undefined;
  let firstSeen: ExpectedAttempt = {};
  let verified = 0;
  let read = 0;
  const timeline: TimelineEntry[] = [];

  const diverge = (
    entry: Omit<TimelineEntry, 'verified' | 'divergence'>,
    code: DivergenceCode,
    message: string,
  ): false => {
    divergence = { position: entry.position, sequence: entry.sequence, code, message };
    timeline.push({ ...entry, verified: false, divergence });
    return false;
  };

  const check = (input: RecordInput, storedText?: string): boolean => {
    if (divergence !== undefined) return false;
    read += 1;
    const position = read;
    const stateBefore = stateName;
    if (isUnreadable(input)) {
      const entry = {
        position,
        sequence: null,
        at: null,
        eventType: null,
        details: {},
        stateBefore,
        stateAfter: null,
        recordedState: null,
      };
      return input.unknownMachineVersion === undefined
        ? diverge(
            entry,
            'UNREADABLE_RECORD',
            `the record at position ${position} is unreadable: ${input.message}`,
          )
        : diverge(
            entry,
            'UNKNOWN_MACHINE_VERSION',
            `the record at position ${position} was written by machine v${input.unknownMachineVersion}, which this build does not have: verify it with a newer passage`,
          );
    }
    const record = input;
    if (position === 1) firstSeen = { tenant: record.tenant, attemptId: record.attemptId };
    const entry = {
      position,
      sequence: record.sequence,
      at: record.at,
      eventType: record.event.type,
      details: keepTimeline ? eventDetails(record.event) : {},
      stateBefore,
      stateAfter: null,
      recordedState: record.state,
    };
    const problem = findRecordProblem(record, identity, previous, storedText);
    if (problem !== null) return diverge(entry, problem.code, problem.message);

    const step = foldRecord(machines, folds, record);
    if ('code' in step) {
      return diverge({ ...entry, stateAfter: step.stateAfter ?? null }, step.code, step.message);
    }
    folds = step.folds;
    stateName = step.own.name;
    outcome = step.own.outcome;
    previous = { sequence: record.sequence, hash: record.hash };
    if (verified === 0) identity = { tenant: record.tenant, attemptId: record.attemptId };
    verified += 1;
    if (keepTimeline) timeline.push({ ...entry, stateAfter: stateName, verified: true });
    return true;
  };

  const result = (): AttemptVerification => ({
    ok: divergence === undefined,
    tenant: identity.tenant ?? firstSeen.tenant ?? null,
    attemptId: identity.attemptId ?? firstSeen.attemptId ?? null,
    records: read,
    verifiedRecords: verified,
    finalState: stateName,
    outcome,
    lastHash: previous?.hash ?? null,
    timeline: [...timeline],
    ...(divergence === undefined ? {} : { divergence }),
  });

  return { check, result, current: () => ({ state: stateName, outcome }) };
};

/**
 * Verifies an attempt's records, read in order from any iterable (an array, or a store's
 * stream). Reading stops at the first divergence, which also ends the source's iteration.
 * An empty history verifies (`records: 0`): whether that means "no such attempt" is the
 * caller's call.
 */
export const verifyAttempt = async (
  records: AsyncIterable<RecordInput> | Iterable<RecordInput>,
  expected: ExpectedAttempt = {},
  options: VerifierOptions = {},
): Promise<AttemptVerification> => {
  const verifier = createAttemptVerifier(expected, options);
  for await (const input of records) {
    if (!verifier.check(input)) break;
  }
  return verifier.result();
};

/** Verifies records as stored (JSON text), decoding each one as it arrives. */
export const verifyAttemptTexts = async (
  texts: AsyncIterable<string> | Iterable<string>,
  expected: ExpectedAttempt = {},
  options: VerifierOptions = {},
): Promise<AttemptVerification> => {
  const verifier = createAttemptVerifier(expected, options);
  for await (const text of texts) {
    const decoded = decodeRecord(text);
    if (!verifier.check(decoded._tag === 'Right' ? decoded.right : decoded.left, text)) break;
  }
  return verifier.result();
};
