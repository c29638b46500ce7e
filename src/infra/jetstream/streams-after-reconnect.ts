import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../actors/ports/logger.js';
import { describeError } from './jetstream-errors.js';
import { backoffDelayMs, type Backoff } from './retry-backoff.js';

const RETRY_BACKOFF: Backoff = { baseMs: 250, maxMs: 5_000 };

export interface StreamsAfterReconnect {
  readonly stop: () => void;
}

/**
 * Makes the streams again (`ensure`) every time the connection comes back after losing its
 * server. A nats-server restarted on its store recovers its file streams, not its memory
 * ones: `PASSAGE_REQUESTS` is memory only on purpose (no password at rest), so after a
 * restart it is gone, and without it no password request could be queued and no agent could
 * take one until every service restarted. On a cluster the streams survive a node, and
 * `ensure` only confirms them. A failed `ensure` (JetStream still recovering, a cluster still
 * electing its leaders) is tried again, with a growing pause, until it succeeds, the
 * connection comes back once more, or `stop()`.
 */
export const ensureStreamsAfterReconnect = (options: {
  readonly nc: NatsConnection;
  readonly ensure: () => Promise<void>;
  readonly logger: Logger;
}): StreamsAfterReconnect => {
  const { nc, logger } = options;
  let stopped = false;
  let round = 0;

  const ensureUntilDone = async (mine: number): Promise<void> => {
    for (let attempt = 1; !stopped && mine === round; attempt += 1) {
      try {
        await options.ensure();
        logger.info('streams.ensured-after-reconnect', { attempts: attempt });
        return;
      } catch (error) {
        logger.warn('streams.ensure-failed', { attempt, error: describeError(error) });
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, RETRY_BACKOFF)));
      }
    }
  };

  void (async () => {
    for await (const status of nc.status()) {
      if (stopped) return;
      if (status.type !== 'reconnect') continue;
      round += 1;
      void ensureUntilDone(round);
    }
  })();

  return {
    stop: () => {
      stopped = true;
    },
  };
};
