/**
 * Runs `work` over `items` with at most `concurrency` in flight, in order of start, and
 * returns the results in the order of `items`. Thousands of NATS requests or publishes go
 * out this way: pipelined, so a run takes seconds, yet bounded, so nothing is dropped for
 * want of buffer.
 */
export const pipelined = async <T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
};
