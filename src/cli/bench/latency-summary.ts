/** Percentiles of a list of durations, in milliseconds, rounded to 0.1 ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

const tenth = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * The nearest-rank percentile: the smallest sample that at least `p` per cent of the samples
 * do not exceed. No interpolation: a p99 is a latency some user actually waited.
 */
const nearestRank = (sorted: Float64Array, p: number): number => {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
};

export const summarizeLatencies = (samples: readonly number[]): LatencySummary => {
  const sorted = Float64Array.from(samples).sort();
  const total = samples.reduce((sum, ms) => sum + ms, 0);
  return {
    count: sorted.length,
    p50: tenth(nearestRank(sorted, 50)),
    p95: tenth(nearestRank(sorted, 95)),
    p99: tenth(nearestRank(sorted, 99)),
    max: tenth(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
    mean: tenth(sorted.length === 0 ? 0 : total / sorted.length),
  };
};
