import type { Client } from 'ldapts';
import { BenchError } from './bench-error.js';
import { benchLdapClient } from './bench-ldap-client.js';
import type { BenchDirectoryTarget, BenchUser } from './bench-stack.js';
import { summarizeLatencies, type LatencySummary } from './latency-summary.js';

export interface RawBindsResult {
  readonly seconds: number;
  readonly binds: number;
  readonly failures: number;
  readonly perSecond: number;
  readonly latencyMs: LatencySummary;
}

export interface RawBindsInput {
  readonly target: BenchDirectoryTarget;
  readonly users: readonly BenchUser[];
  /** Connections, each binding one bind after another. */
  readonly concurrency: number;
  readonly durationMs: number;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly onBind?: (binds: number, elapsedMs: number) => void;
}

/**
 * The directory's own speed, the figure passage's sign-ins are compared with: simple binds
 * as the bench users, through ldapts, over `concurrency` connections kept open (TLS set up
 * once per connection, as a client that does nothing but bind would do), each binding one
 * bind after another. The connections are opened and bound once before the clock starts.
 */
export const measureRawBinds = async (input: RawBindsInput): Promise<RawBindsResult> => {
  const { users, now } = input;
  const clients: Client[] = Array.from({ length: input.concurrency }, () =>
    benchLdapClient(input.target.url, input.target.caFile),
  );
  const userFor = (index: number): BenchUser => {
    const user = users[index % users.length];
    if (user === undefined) throw new Error('the bench has no users');
    return user;
  };
  try {
    // Connected and proven before the clock starts: a baseline of failed binds means nothing.
    await Promise.all(
      clients.map(async (client, index) => {
        const user = userFor(index);
        try {
          await client.bind(user.bindName, user.password);
        } catch (error) {
          throw new BenchError(
            'BENCH_USERS_CANNOT_BIND',
            `bench user ${user.username} cannot bind to ${input.target.url}: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }),
    );
    const latencies: number[] = [];
    let binds = 0;
    let failures = 0;
    const startedAt = now();
    const deadline = startedAt + input.durationMs;
    await Promise.all(
      clients.map(async (client, index) => {
        for (let round = 0; now() < deadline && !input.signal.aborted; round += 1) {
          const user = userFor(index + round * clients.length);
          const sentAt = now();
          try {
            await client.bind(user.bindName, user.password);
            binds += 1;
            latencies.push(now() - sentAt);
          } catch {
            failures += 1;
          }
          input.onBind?.(binds, now() - startedAt);
        }
      }),
    );
    const seconds = Math.max(0.001, (now() - startedAt) / 1000);
    return {
      seconds: Number(seconds.toFixed(3)),
      binds,
      failures,
      perSecond: Number((binds / seconds).toFixed(1)),
      latencyMs: summarizeLatencies(latencies),
    };
  } finally {
    await Promise.all(clients.map((client) => client.unbind().catch(() => undefined)));
  }
};
