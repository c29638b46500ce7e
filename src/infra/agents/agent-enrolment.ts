import { isLeft, isRight, left, type Either } from 'fp-ts/lib/Either.js';
import type { AgentRegistration } from '../../domain/wire/agent-messages.js';
import type { AgentPublicKeys } from '../crypto/agent-keys.js';
import type { AgentRegistry } from './agent-registry.js';
import { checkNewRegistration } from './registration-checks.js';
import type { RegistryError } from './registry-errors.js';
import type { TokenError, TokenIssuer } from './registration-tokens.js';

/** What `passage agent register` sends: public keys only; private keys stay on the agent. */
export interface EnrolmentRequest {
  readonly tenant: string;
  readonly agentId: string;
  readonly displayName: string;
  readonly publicKeys: AgentPublicKeys;
  readonly token: string;
}

export interface EnrolmentDeps {
  readonly registry: AgentRegistry;
  readonly tokens: TokenIssuer;
  readonly now?: () => Date;
}

/** A refusal's code names its stage: `TOKEN_*` from the token, the rest from the registry. */
export type EnrolmentError = RegistryError | TokenError;

/**
 * Registers an agent with a one-time token. Everything that can be checked without the token
 * is checked first (the registration is well formed, its keys are valid, the agent id is
 * free), so a typo does not burn the token; then the token is spent, then the agent is
 * registered. Only a lost race for the same agent id between the last check and the write
 * spends a token for nothing; the operator issues another.
 */
export const enrolAgent = async (
  deps: EnrolmentDeps,
  request: EnrolmentRequest,
): Promise<Either<EnrolmentError, AgentRegistration>> => {
  const now = deps.now ?? (() => new Date());
  const checked = await checkNewRegistration({
    v: 1,
    tenant: request.tenant,
    agentId: request.agentId,
    displayName: request.displayName,
    boxKeys: [...request.publicKeys.boxKeys],
    signKeys: [...request.publicKeys.signKeys],
    registeredAt: now().toISOString(),
    status: 'active',
  });
  if (isLeft(checked)) return checked;
  const existing = await deps.registry.get(request.tenant, request.agentId);
  if (isRight(existing)) {
    return left({
      code: 'AGENT_EXISTS',
      message: `agent ${request.agentId} is already registered`,
    });
  }
  if (existing.left.code !== 'AGENT_NOT_FOUND') return existing;
  const redeemed = await deps.tokens.redeem(request.token, request.tenant, {
    agentId: request.agentId,
  });
  if (isLeft(redeemed)) return redeemed;
  return deps.registry.register(checked.right);
};
