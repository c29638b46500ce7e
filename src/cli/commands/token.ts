import { isLeft } from 'fp-ts/lib/Either.js';
import { createTokenIssuer } from '../../infra/agents/registration-tokens.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';

/**
 * `passage token create`: a short-lived, one-time registration token for an agent of a
 * tenant. Only its hash is stored; the token itself is printed once, here.
 */
export const runTokenCreate = async (
  io: CliIo,
  options: {
    readonly natsUrl: string;
    /** Tokens are issued with the service's credentials. */
    readonly natsAccess?: NatsAccess;
    readonly tenant: string;
    readonly ttlSeconds: number;
    readonly agentId?: string;
  },
): Promise<number> => {
  const nc = await connectToNats(options.natsUrl, NATS_CONNECT_TIMEOUT_MS, options.natsAccess);
  try {
    const issued = await createTokenIssuer({ nc }).issue(options.tenant, {
      ttlSeconds: options.ttlSeconds,
      ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
    });
    if (isLeft(issued)) {
      io.err(`passage: ${issued.left.message} [${issued.left.code}]\n`);
      return EXIT_FAILURE;
    }
    io.out(`${issued.right.token}\n`);
    io.err(
      `token for tenant ${options.tenant}, valid until ${issued.right.expiresAt}, usable once\n`,
    );
    return EXIT_OK;
  } finally {
    await nc.close();
  }
};
