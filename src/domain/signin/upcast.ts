import type { SignInEvent } from './events.js';
import type { SignInEventV1 } from './released/v1-events.js';
import { SIGNIN_MACHINE_VERSION } from './version.js';

/**
 * Upcasters: an event recorded under an older machine version, in the shape a newer version
 * reads. Records are never rewritten (their hashes cover what was stored); an event is
 * upcast each time it is read, after its record has been verified as stored.
 *
 * An upcast event keeps its `machineVersion`: it still says which machine wrote it.
 */

/** An event as some released machine version recorded it. */
export type RecordedSignInEvent = SignInEventV1 | SignInEvent;

/** v1 → v2: `SignInSucceeded { mfa }` becomes `{ methods }` (RFC 8176 values). */
export const upcastV1ToV2 = (event: SignInEventV1): SignInEvent => {
  if (event.type !== 'SignInSucceeded') return event;
  const { mfa, ...rest } = event;
  return { ...rest, methods: mfa ? ['pwd', 'otp'] : ['pwd'] };
};

/**
 * The event in the shape of machine `version` (which must not be older than the event's own
 * version; the caller checks). Each step of the chain is one version's upcaster.
 */
export const upcastTo = (event: RecordedSignInEvent, version: number): RecordedSignInEvent =>
  event.machineVersion < 2 && version >= 2 ? upcastV1ToV2(event as SignInEventV1) : event;

/** The event in the current machine's shape. */
export const upcastToCurrent = (event: RecordedSignInEvent): SignInEvent =>
  upcastTo(event, SIGNIN_MACHINE_VERSION) as SignInEvent;
