import { connect, type NatsConnection } from '@nats-io/transport-node';

/** How long a one-shot command waits for NATS before it says it cannot reach it. */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

/** NATS could not be reached; one-shot commands report it as `NATS_UNREACHABLE`. */
export class NatsUnreachableError extends Error {
  readonly code = 'NATS_UNREACHABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NatsUnreachableError';
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Connects to NATS, giving up after `timeoutMs` with `NatsUnreachableError`. No reconnects:
 * a one-shot command that lost its server should say so rather than wait.
 */
export const connectToNats = async (
  natsUrl: string,
  timeoutMs: number = NATS_CONNECT_TIMEOUT_MS,
): Promise<NatsConnection> => {
  const servers = natsUrl.split(',').map((server) => server.trim());
  const connecting = connect({ servers, timeout: timeoutMs, reconnect: false, name: 'passage' });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new NatsUnreachableError(`NATS at ${natsUrl} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([connecting, timedOut]);
  } catch (error) {
    // A connection that completes after we gave up is closed, not leaked.
    connecting.then((late) => late.close()).catch(() => undefined);
    if (error instanceof NatsUnreachableError) throw error;
    throw new NatsUnreachableError(`cannot reach NATS at ${natsUrl}: ${messageOf(error)}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
};

/**
 * A connection for a process that runs: it outlives restarts of nats-server by reconnecting
 * for as long as it runs (`reconnect: true`), or fails at once (`reconnect: false`, for
 * one-shot commands that should say they cannot reach NATS).
 */
export const connectResilient = async (
  natsUrl: string,
  options: { readonly reconnect: boolean },
): Promise<NatsConnection> => {
  if (!options.reconnect) return connectToNats(natsUrl);
  try {
    return await connect({
      servers: natsUrl.split(',').map((server) => server.trim()),
      timeout: NATS_CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      name: 'passage',
    });
  } catch (error) {
    throw new NatsUnreachableError(`cannot reach NATS at ${natsUrl}: ${messageOf(error)}`, {
      cause: error,
    });
  }
};
