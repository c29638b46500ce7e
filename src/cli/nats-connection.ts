import { AuthorizationError, connect, type NatsConnection } from '@nats-io/transport-node';
import { natsClientOptions, type NatsAccess } from '../infra/nats/nats-client-options.js';
import { causeChain } from '../infra/nats/cause-chain.js';

/** How long a one-shot command waits for NATS before it says it cannot reach it. */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

export type NatsConnectionErrorCode =
  | 'NATS_UNREACHABLE'
  /** The server refused the credentials (a wrong or unknown NKey, or none where one is needed). */
  | 'NATS_AUTHORIZATION_FAILED'
  /** TLS did not come up: the certificate did not verify against the CA, or no TLS at all. */
  | 'NATS_TLS_FAILED';

/** NATS could not be used; one-shot commands report it with its code. */
export class NatsUnreachableError extends Error {
  constructor(
    message: string,
    options?: { cause?: unknown },
    readonly code: NatsConnectionErrorCode = 'NATS_UNREACHABLE',
  ) {
    super(message, options);
    this.name = 'NatsUnreachableError';
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

// Node's codes for a certificate that does not verify, and nats.js's words for TLS that is
// missing on one side: the fix is a CA file or a tls:// URL, not a network check.
const TLS_PROBLEM =
  /certificate|self[- ]signed|UNABLE_TO_VERIFY|ERR_TLS|CERT_|tls.*(not available|required)|does not support 'tls'|SSL|handshake/i;

/** What went wrong connecting, as a code people and scripts can act on. */
export const connectionProblemOf = (natsUrl: string, error: unknown): NatsUnreachableError => {
  const chain = causeChain(error);
  if (chain.some((cause) => cause instanceof AuthorizationError)) {
    return new NatsUnreachableError(
      `NATS at ${natsUrl} refused our credentials: give this role's NKey seed file ` +
        `(--nats-nkey-file or PASSAGE_NATS_NKEY_FILE), one the server's configuration names`,
      { cause: error },
      'NATS_AUTHORIZATION_FAILED',
    );
  }
  const words = chain
    .map((cause) =>
      cause instanceof Error
        ? `${cause.message} ${String((cause as { code?: unknown }).code)}`
        : '',
    )
    .join(' ');
  if (TLS_PROBLEM.test(words)) {
    return new NatsUnreachableError(
      `TLS with NATS at ${natsUrl} failed: ${messageOf(error)} (a tls:// URL and the CA ` +
        'that signed the server certificate, --nats-ca-file, are needed)',
      { cause: error },
      'NATS_TLS_FAILED',
    );
  }
  return new NatsUnreachableError(`cannot reach NATS at ${natsUrl}: ${messageOf(error)}`, {
    cause: error,
  });
};

/**
 * Connects to NATS, giving up after `timeoutMs` with `NatsUnreachableError`. No reconnects:
 * a one-shot command that lost its server should say so rather than wait. Unreadable or
 * unsafe credential files are refused before anything is sent (NkeyFileError,
 * NatsCaFileError, each with its code).
 */
export const connectToNats = async (
  natsUrl: string,
  timeoutMs: number = NATS_CONNECT_TIMEOUT_MS,
  access: NatsAccess = {},
): Promise<NatsConnection> => {
  const client = await natsClientOptions(natsUrl, access);
  const connecting = connect({ ...client, timeout: timeoutMs, reconnect: false, name: 'passage' });
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
    throw connectionProblemOf(natsUrl, error);
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
  options: { readonly reconnect: boolean; readonly access?: NatsAccess },
): Promise<NatsConnection> => {
  if (!options.reconnect) return connectToNats(natsUrl, NATS_CONNECT_TIMEOUT_MS, options.access);
  const client = await natsClientOptions(natsUrl, options.access);
  try {
    return await connect({
      ...client,
      timeout: NATS_CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      name: 'passage',
      // nats.js otherwise makes an Error at every request, for the stack a failure would
      // show: about 5% of the service's CPU under load (docs/performance.md). Failures keep
      // their messages; passage logs no stacks.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw connectionProblemOf(natsUrl, error);
  }
};
