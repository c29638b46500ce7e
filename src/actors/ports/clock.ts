/** Time for the actors; the domain never reads it, commands carry what it returns. */
export interface Clock {
  readonly now: () => Date;
}

export const systemClock: Clock = { now: () => new Date() };
