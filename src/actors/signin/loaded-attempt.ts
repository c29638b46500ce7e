import type { SignInRecord } from '../../domain/wire/service-messages.js';
import { initialSignInState, type SignInState } from '../../domain/signin/state.js';

/**
 * An attempt as a host knows it: the folded state, the last record (for the hash chain) and
 * the store position of that record (for optimistic concurrency), plus the ids of the events
 * already recorded, so a command that was applied before is recognised when it comes again.
 */
export interface LoadedAttempt {
  readonly position: number;
  readonly last: SignInRecord | null;
  readonly state: SignInState;
  readonly eventIds: ReadonlySet<string>;
}

export const notLoaded = (): LoadedAttempt => ({
  position: 0,
  last: null,
  state: initialSignInState(),
  eventIds: new Set(),
});

export const withRecord = (
  loaded: LoadedAttempt,
  record: SignInRecord,
  state: SignInState,
  position: number,
): LoadedAttempt => ({
  position,
  last: record,
  state,
  eventIds: new Set([...loaded.eventIds, record.event.eventId]),
});
