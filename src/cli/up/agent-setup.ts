import { existsSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import { publicKeysOf } from '../../infra/crypto/agent-keys.js';
import { readAgentKeyFile } from '../../infra/crypto/key-file.js';
import { runAgentInit, runAgentRegister } from '../commands/agent.js';
import { runTokenCreate } from '../commands/token.js';
import type { CliIo } from '../io.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { UpError } from './up-error.js';

export interface AgentSetup {
  readonly nc: NatsConnection;
  readonly natsUrl: string;
  readonly tenant: string;
  readonly agentId: string;
  readonly keyFile: string;
  /** The service's credentials: they issue the registration token. */
  readonly serviceAccess?: NatsAccess;
  /** The agent's own credentials: it registers itself, as an operator's agent would. */
  readonly agentAccess?: NatsAccess;
}

/** How the agent came to be registered: this start, or an earlier one. */
export type AgentSetupResult = 'registered' | 'alreadyRegistered';

/**
 * An io that keeps what a command writes, in memory: the token `token create` prints must
 * reach `agent register` and nothing else (no terminal, no log).
 */
const capture = (): CliIo & { readonly outText: () => string; readonly errText: () => string } => {
  let out = '';
  let err = '';
  return {
    out: (text) => (out += text),
    err: (text) => (err += text),
    outText: () => out,
    errText: () => err,
  };
};

const failed = (step: string, io: { readonly errText: () => string }): UpError =>
  new UpError('UP_AGENT_SETUP_FAILED', `${step} failed: ${io.errText().trim()}`);

/**
 * Makes `up`'s agent ready to run, with the same steps an operator takes (`agent init`,
 * `token create`, `agent register`), in-process. The key file is kept in the data directory,
 * so a later start finds the agent registered with the same keys and registers nothing (a
 * second registration of an agent id is refused: AGENT_EXISTS). Registered with other keys
 * (the key file was replaced) or revoked, it stops with a code and the way out.
 */
export const ensureAgentRegistered = async (setup: AgentSetup): Promise<AgentSetupResult> => {
  if (!existsSync(setup.keyFile)) {
    const io = capture();
    if ((await runAgentInit(io, { keyFile: setup.keyFile, force: false })) !== 0) {
      throw failed('agent init', io);
    }
  }
  const keys = await readAgentKeyFile(setup.keyFile);
  if (isLeft(keys)) {
    throw new UpError('UP_AGENT_SETUP_FAILED', `${keys.left.message} [${keys.left.code}]`);
  }
  const mine = await publicKeysOf(keys.right);
  const registry = createAgentRegistry({ nc: setup.nc });
  const existing = await registry.get(setup.tenant, setup.agentId);
  if (!isLeft(existing)) {
    const registered = existing.right;
    if (registered.status !== 'active') {
      throw new UpError(
        'UP_AGENT_REVOKED',
        `agent ${setup.agentId} of tenant ${setup.tenant} has been revoked. ` +
          'Start with a new data directory (--data-dir), or remove this one.',
      );
    }
    const same = (a: { keyId: string; publicKey: string } | undefined, b: typeof a) =>
      a !== undefined && b !== undefined && a.keyId === b.keyId && a.publicKey === b.publicKey;
    if (
      same(registered.boxKeys[0], mine.boxKeys[0]) &&
      same(registered.signKeys[0], mine.signKeys[0])
    ) {
      return 'alreadyRegistered';
    }
    throw new UpError(
      'UP_AGENT_KEYS_CHANGED',
      `agent ${setup.agentId} of tenant ${setup.tenant} is registered with other keys than ` +
        `${setup.keyFile} holds (was the key file replaced?). Restore it, or start with a ` +
        'new data directory (--data-dir).',
    );
  }
  if (existing.left.code !== 'AGENT_NOT_FOUND') {
    throw new UpError('UP_AGENT_SETUP_FAILED', `${existing.left.message} [${existing.left.code}]`);
  }

  // A token for this agent id only, used at once: a minute is plenty.
  const tokenIo = capture();
  const issued = await runTokenCreate(tokenIo, {
    natsUrl: setup.natsUrl,
    ...(setup.serviceAccess === undefined ? {} : { natsAccess: setup.serviceAccess }),
    tenant: setup.tenant,
    ttlSeconds: 60,
    agentId: setup.agentId,
  });
  if (issued !== 0) throw failed('token create', tokenIo);
  const registerIo = capture();
  const registered = await runAgentRegister(registerIo, {
    natsUrl: setup.natsUrl,
    ...(setup.agentAccess === undefined ? {} : { natsAccess: setup.agentAccess }),
    tenant: setup.tenant,
    agentId: setup.agentId,
    keyFile: setup.keyFile,
    token: tokenIo.outText().trim(),
    displayName: 'passage up (this machine)',
  });
  if (registered !== 0) throw failed('agent register', registerIo);
  return 'registered';
};
