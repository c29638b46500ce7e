import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { startAgent } from '../../actors/agent/agent-runtime.js';
import { systemClock } from '../../actors/ports/clock.js';
import type { Logger } from '../../actors/ports/logger.js';
import { IdSchema } from '../../domain/shared/wire-primitives.js';
import { enrolAgent } from '../../infra/agents/agent-enrolment.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import { createTokenIssuer } from '../../infra/agents/registration-tokens.js';
import { createAgentCrypto } from '../../infra/agent-ports/agent-crypto.js';
import {
  generateAgentKeys,
  publicKeysOf,
  rotateAgentKeys,
  type AgentKeys,
} from '../../infra/crypto/agent-keys.js';
import { readAgentKeyFile, writeAgentKeyFile } from '../../infra/crypto/key-file.js';
import {
  createLdapDirectory,
  isDirectoryConfigError,
  type LdapDirectoryConfig,
} from '../../infra/directory/index.js';
import { createJetStreamAgentSide } from '../../infra/jetstream/agent-queues.js';
import { REQUESTS_STREAM } from '../../infra/jetstream/topology.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import { connectResilient } from '../nats-connection.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';

const fail = (io: CliIo, code: string, message: string, exit = EXIT_FAILURE): number => {
  io.err(`passage: ${message} [${code}]\n`);
  return exit;
};

/** An agent id from the host name when none is given: stable across restarts and rotations. */
export const defaultAgentId = (): string => {
  const id = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 64);
  return IdSchema.safeParse(id).success ? id : 'agent';
};

const loadKeys = async (io: CliIo, keyFile: string): Promise<AgentKeys | number> => {
  const keys = await readAgentKeyFile(keyFile);
  return isLeft(keys) ? fail(io, keys.left.code, keys.left.message) : keys.right;
};

/** `passage agent init`: new key pairs in a file only its owner can read. */
export const runAgentInit = async (
  io: CliIo,
  options: { readonly keyFile: string; readonly force: boolean },
): Promise<number> => {
  const keys = await generateAgentKeys(systemClock.now());
  const written = await writeAgentKeyFile(options.keyFile, keys, { overwrite: options.force });
  if (isLeft(written)) {
    const hint =
      written.left.code === 'KEY_FILE_EXISTS'
        ? ' (--force replaces it, and the agent must register again)'
        : '';
    return fail(io, written.left.code, `${written.left.message}${hint}`);
  }
  const publicKeys = await publicKeysOf(keys);
  io.out(
    `${JSON.stringify({ keyFile: options.keyFile, boxKeyId: publicKeys.boxKeys[0]?.keyId, signKeyId: publicKeys.signKeys[0]?.keyId })}\n`,
  );
  return EXIT_OK;
};

interface Connected {
  readonly natsUrl: string;
  /** The agent's own NKey seed file and the CA, when NATS asks for them. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  readonly agentId: string;
  readonly keyFile: string;
}

const accessOf = (options: Connected): { access?: NatsAccess } =>
  options.natsAccess === undefined ? {} : { access: options.natsAccess };

/** `passage agent register`: publishes the public keys, authorised by a one-time token. */
export const runAgentRegister = async (
  io: CliIo,
  options: Connected & { readonly token: string; readonly displayName: string },
): Promise<number> => {
  const keys = await loadKeys(io, options.keyFile);
  if (typeof keys === 'number') return keys;
  const nc = await connectResilient(options.natsUrl, { reconnect: false, ...accessOf(options) });
  try {
    const registered = await enrolAgent(
      { registry: createAgentRegistry({ nc }), tokens: createTokenIssuer({ nc }) },
      {
        tenant: options.tenant,
        agentId: options.agentId,
        displayName: options.displayName,
        publicKeys: await publicKeysOf(keys),
        token: options.token,
      },
    );
    if (isLeft(registered)) return fail(io, registered.left.code, registered.left.message);
    io.out(`${JSON.stringify({ registered: options.agentId, tenant: options.tenant })}\n`);
    return EXIT_OK;
  } finally {
    await nc.close();
  }
};

/**
 * `passage agent rotate`: new key pairs. The previous ones stay in the key file and in the
 * registration, so requests sealed and answers signed with them during the change still work.
 * The registry is updated first: if that fails, the file keeps the keys the service knows.
 */
export const runAgentRotate = async (io: CliIo, options: Connected): Promise<number> => {
  const keys = await loadKeys(io, options.keyFile);
  if (typeof keys === 'number') return keys;
  const rotated = await rotateAgentKeys(keys, systemClock.now());
  const publicKeys = await publicKeysOf(rotated);
  const [box] = publicKeys.boxKeys;
  const [sign] = publicKeys.signKeys;
  if (box === undefined || sign === undefined)
    return fail(io, 'KEY_FILE_INVALID', 'no current keys');
  const nc = await connectResilient(options.natsUrl, { reconnect: false, ...accessOf(options) });
  try {
    const updated = await createAgentRegistry({ nc }).rotateKeys(
      options.tenant,
      options.agentId,
      box,
      sign,
    );
    if (isLeft(updated)) return fail(io, updated.left.code, updated.left.message);
  } finally {
    await nc.close();
  }
  const written = await writeAgentKeyFile(options.keyFile, rotated, { overwrite: true });
  if (isLeft(written)) return fail(io, written.left.code, written.left.message);
  io.out(
    `${JSON.stringify({ rotated: options.agentId, boxKeyId: box.keyId, signKeyId: sign.keyId })}\n`,
  );
  return EXIT_OK;
};

export interface AgentRunOptions extends Connected {
  readonly directory: LdapDirectoryConfig & { readonly bindPasswordFile?: string };
  readonly concurrency: number;
  readonly stopSignal: Promise<void>;
}

/**
 * The service creates the streams; an agent only uses them (and will not be allowed to create
 * them once roles have their own permissions). So an agent started first waits, saying so.
 */
const waitForStream = async (
  nc: NatsConnection,
  stream: string,
  logger: Logger,
  stopSignal: Promise<void>,
): Promise<void> => {
  let stopped = false;
  void stopSignal.then(() => (stopped = true));
  const jsm = await jetstreamManager(nc);
  for (let attempt = 0; !stopped; attempt += 1) {
    try {
      await jsm.streams.info(stream);
      return;
    } catch (error) {
      if (attempt % 10 === 0) {
        logger.warn('agent.waiting-for-streams', {
          stream,
          reason: error instanceof Error ? error.message : String(error),
          hint: 'start a passage host (or passage up) for this NATS server',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
};

/** `passage agent run`: the agent process. Holds its connection until stopped. */
export const runAgent = async (io: CliIo, options: AgentRunOptions): Promise<number> => {
  const logger = createJsonLinesLogger(io.err, {
    component: 'agent',
    tenant: options.tenant,
    agentId: options.agentId,
    pid: process.pid,
  });
  const keys = await loadKeys(io, options.keyFile);
  if (typeof keys === 'number') return keys;
  const { bindPasswordFile, ...directoryConfig } = options.directory;
  let directory;
  try {
    const bindPassword =
      bindPasswordFile === undefined
        ? undefined
        : // Only the final line break goes: trailing spaces may belong to the password.
          (await readFile(bindPasswordFile, 'utf8')).replace(/\r?\n$/, '');
    directory = createLdapDirectory({
      ...directoryConfig,
      ...(bindPassword === undefined ? {} : { bindPassword }),
      // As many connections per server (for searches, and for binds) as requests validated
      // at once: fewer would make requests queue for a connection inside the agent.
      poolSize: Math.min(64, options.concurrency),
    });
  } catch (error) {
    if (isDirectoryConfigError(error)) return fail(io, error.code, error.message, EXIT_USAGE);
    return fail(
      io,
      'DIRECTORY_CONFIG_UNREADABLE',
      error instanceof Error ? error.message : String(error),
    );
  }
  const nc = await connectResilient(options.natsUrl, { reconnect: true, ...accessOf(options) });
  await waitForStream(nc, REQUESTS_STREAM, logger, options.stopSignal);
  const registry = createAgentRegistry({ nc, logger });
  const agent = await startAgent({
    tenant: options.tenant,
    agentId: options.agentId,
    queues: createJetStreamAgentSide({
      nc,
      logger,
      heartbeat: async (heartbeat) => {
        const recorded = await registry.heartbeat(heartbeat);
        if (isLeft(recorded)) throw new Error(`${recorded.left.code}: ${recorded.left.message}`);
      },
    }),
    crypto: createAgentCrypto(keys, { keyFile: options.keyFile }),
    directory,
    clock: systemClock,
    logger,
    concurrency: options.concurrency,
  });
  await options.stopSignal;
  await agent.stop();
  await directory.close();
  await nc.drain();
  return EXIT_OK;
};
