/**
 * Runs tasks one after another per key and concurrently across keys. A host serialises the
 * commands of one attempt this way, so two commands for the same attempt on one host never
 * race each other into a version conflict (hosts on other machines still can, and retry).
 */
export const createKeyedQueue = () => {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
};
