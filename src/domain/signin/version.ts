/**
 * The version of the sign-in machine that decides and evolves new attempts. Every event
 * carries the version it was written under, so a history replays under the machine that
 * wrote it even after the machine changes (see docs/signin-machine.md).
 */
export const SIGNIN_MACHINE_VERSION = 2 as const;
export type SignInMachineVersion = typeof SIGNIN_MACHINE_VERSION;

/**
 * Every machine version ever released, oldest first. Each stays in the code base with its
 * event shapes (released/), so that its histories replay exactly; see released-machines.ts.
 */
export const RELEASED_MACHINE_VERSIONS = [1, 2] as const;
export type ReleasedMachineVersion = (typeof RELEASED_MACHINE_VERSIONS)[number];

export const isReleasedMachineVersion = (value: unknown): value is ReleasedMachineVersion =>
  (RELEASED_MACHINE_VERSIONS as readonly unknown[]).includes(value);
