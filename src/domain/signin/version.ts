/**
 * The version of the sign-in machine that decides and evolves new attempts. Every event
 * carries the version it was written under, so a history replays under the machine that
 * wrote it even after the machine changes (see docs/signin-machine.md).
 */
export const SIGNIN_MACHINE_VERSION = 1 as const;
export type SignInMachineVersion = typeof SIGNIN_MACHINE_VERSION;
