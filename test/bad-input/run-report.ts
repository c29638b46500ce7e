/**
 * Seeds and counts of the bad-input runs. Every run draws a new seed, so each CI run tries
 * new inputs; `PASSAGE_BAD_INPUT_SEED=<seed>` replays the inputs of a run that failed (the
 * seed is printed with every boundary's count and in fast-check's failure report).
 */

/** The seed for this run's generators. */
export const runSeed = (): number => {
  const fixed = process.env['PASSAGE_BAD_INPUT_SEED'];
  if (fixed !== undefined && fixed !== '') return Number(fixed);
  return Math.floor(Math.random() * 0x7fffffff);
};

/** Counts inputs per kind, for the report line and for asserting nothing was skipped. */
export const inputCounter = () => {
  const counts = new Map<string, number>();
  return {
    count: (kind: string, n = 1): void => {
      counts.set(kind, (counts.get(kind) ?? 0) + n);
    },
    total: (): number => [...counts.values()].reduce((a, b) => a + b, 0),
    byKind: (): Record<string, number> => Object.fromEntries([...counts].sort()),
  };
};

/**
 * One line per boundary on stdout, e.g. `bad input: HTTP API: 10,000 inputs in 8.1 s (seed
 * 123)`: how many inputs ran and how long they took, for the report; never asserted on.
 */
export const reportRun = (
  boundary: string,
  inputs: number,
  startedAt: number,
  seed: number,
  kinds?: Record<string, number>,
): void => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const detail =
    kinds === undefined
      ? ''
      : `: ${Object.entries(kinds)
          .map(([kind, n]) => `${kind} ${n.toLocaleString('en-US')}`)
          .join(', ')}`;
  process.stdout.write(
    `bad input: ${boundary}: ${inputs.toLocaleString('en-US')} inputs in ${seconds} s (seed ${seed})${detail}\n`,
  );
};
