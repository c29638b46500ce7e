import fc from 'fast-check';
import {
  OUTAGE_REASONS,
  type LockoutCommand,
  type LockoutPolicy,
} from '../../../src/domain/lockout/index.js';

export const ACCOUNT = 'alice@corp.example';
const START = Date.parse('2026-11-25T09:00:00.000Z');

/**
 * A small pool of places, larger than the smallest familiar-location bounds, so that runs
 * visit familiar places, unfamiliar ones, and the forgetting of the least recent one.
 */
export const LOCATIONS = Array.from({ length: 14 }, (_, i) => `10.${i}.0.0/16`);

export type Kind = LockoutCommand['type'];

export interface Step {
  readonly kind: Kind;
  readonly location: string;
  /** Seconds since the previous command; negative now and then, as clocks of hosts drift. */
  readonly gapSeconds: number;
  readonly reason: (typeof OUTAGE_REASONS)[number];
}

const gap = (allowBackwards: boolean) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 120 }) },
    { weight: 3, arbitrary: fc.integer({ min: 120, max: 1800 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1800, max: 3 * 86_400 }) },
    { weight: allowBackwards ? 1 : 0, arbitrary: fc.integer({ min: -300, max: -1 }) },
  );

const step = (allowBackwards: boolean, kinds: readonly Kind[]): fc.Arbitrary<Step> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    // Failures cluster on a few places, like an attacker's; successes spread wider.
    location: fc.oneof(fc.constantFrom(...LOCATIONS.slice(0, 3)), fc.constantFrom(...LOCATIONS)),
    gapSeconds: gap(allowBackwards),
    reason: fc.constantFrom(...OUTAGE_REASONS),
  });

/** Turns steps into commands with ids `cmd-<n>` and instants from a fixed start. */
export const toCommands = (steps: readonly Step[]): LockoutCommand[] => {
  let ms = START;
  return steps.map((s, i) => {
    ms += s.gapSeconds * 1000;
    const base = {
      commandId: `cmd-${i}`,
      at: new Date(ms).toISOString(),
      account: ACCOUNT,
      location: s.location,
    };
    switch (s.kind) {
      case 'recordFailure':
        return { type: 'recordFailure', ...base };
      case 'recordSuccess':
        return { type: 'recordSuccess', ...base };
      case 'recordOutage':
        return { type: 'recordOutage', ...base, reason: s.reason };
    }
  });
};

const ALL_KINDS: readonly Kind[] = [
  'recordFailure',
  'recordFailure',
  'recordFailure',
  'recordSuccess',
  'recordOutage',
];

/** Any mix of commands (mostly failures), instants sometimes out of order. */
export const commandsArb = (maxLength = 80): fc.Arbitrary<LockoutCommand[]> =>
  fc.array(step(true, ALL_KINDS), { maxLength, size: 'max' }).map(toCommands);

/** Commands whose instants never go backwards. */
export const orderedCommandsArb = (maxLength = 80): fc.Arbitrary<LockoutCommand[]> =>
  fc.array(step(false, ALL_KINDS), { maxLength, size: 'max' }).map(toCommands);

/** Outages only. */
export const outagesArb = (maxLength = 30): fc.Arbitrary<LockoutCommand[]> =>
  fc.array(step(true, ['recordOutage']), { minLength: 1, maxLength }).map(toCommands);

/** Valid policies with small numbers, so thresholds, caps and bounds are reached often. */
export const policyArb: fc.Arbitrary<LockoutPolicy> = fc
  .record({
    familiarThreshold: fc.integer({ min: 1, max: 6 }),
    unfamiliarThreshold: fc.integer({ min: 1, max: 6 }),
    observationWindowSeconds: fc.integer({ min: 60, max: 3600 }),
    baseLockoutSeconds: fc.integer({ min: 60, max: 3600 }),
    capDoublings: fc.integer({ min: 0, max: 8 }),
    maxFamiliarLocations: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ capDoublings, ...p }) => ({
    ...p,
    maxLockoutSeconds: p.baseLockoutSeconds * 2 ** capDoublings,
  }));
