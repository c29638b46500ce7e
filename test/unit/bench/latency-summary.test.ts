import { describe, expect, it } from 'vitest';
import { summarizeLatencies } from '../../../src/cli/bench/latency-summary.js';

describe('latency percentiles', () => {
  it('are nearest-rank samples: latencies some sign-in actually had', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(summarizeLatencies(samples)).toEqual({
      count: 100,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
  });

  it('sees the one slow sign-in in a hundred at p99, and not at p95', () => {
    const samples = [...Array.from({ length: 99 }, () => 2), 400];
    const summary = summarizeLatencies(samples);
    expect(summary.p95).toBe(2);
    expect(summary.p99).toBe(2);
    expect(summary.max).toBe(400);
    const twoSlow = summarizeLatencies([...Array.from({ length: 98 }, () => 2), 400, 401]);
    expect(twoSlow.p99).toBe(400);
  });

  it('rounds to a tenth of a millisecond and says nothing of no samples', () => {
    expect(summarizeLatencies([1.234, 1.26]).p99).toBe(1.3);
    expect(summarizeLatencies([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});
