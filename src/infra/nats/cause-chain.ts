/**
 * An error and its causes, outermost first: nats.js wraps what the server said (a
 * permissions violation, no responders, a TLS failure) in one or two errors of its own, and
 * the reason to act on is somewhere down the chain. Bounded, so a cycle cannot hang a caller.
 */
export const causeChain = (error: unknown, max = 6): unknown[] => {
  const chain: unknown[] = [];
  for (let at = error; at !== undefined && at !== null && chain.length < max;) {
    chain.push(at);
    at = (at as { cause?: unknown }).cause;
  }
  return chain;
};
