import { isLeft } from 'fp-ts/lib/Either.js';
import type { AgentResult } from '../../domain/outcomes/vocabulary.js';
import type { AgentAnswer, AgentRequest } from '../../domain/wire/agent-messages.js';
import type { AgentCrypto } from '../ports/agent-crypto.js';
import type { Directory } from '../ports/directory.js';

export type RequestOutcome =
  | {
      readonly kind: 'answered';
      readonly answer: AgentAnswer;
      readonly result: AgentResult;
      readonly domainController: string | null;
    }
  /** The request holds no box for this agent (sealed before it registered): another takes it. */
  | { readonly kind: 'notForThisAgent' }
  /** Sealed for a key this agent does not hold yet (a rotation under way): try again soon. */
  | { readonly kind: 'keyNotYetKnown'; readonly message: string }
  /** Refused and never answered: it would be refused the same way by any agent, any time. */
  | {
      readonly kind: 'refused';
      readonly code: 'UNDECRYPTABLE' | 'REQUEST_MISMATCH' | 'REQUEST_EXPIRED';
      readonly message: string;
    };

export interface AgentIdentity {
  readonly tenant: string;
  readonly agentId: string;
}

/**
 * What an agent does with one request: open its own box, check that the box was sealed for
 * this very request, agent and tenant and has not expired, ask the directory, and sign the
 * answer. The password lives in this function's scope only: it is never logged, returned or
 * kept.
 */
export const answerRequest = async (
  request: AgentRequest,
  identity: AgentIdentity,
  deps: { readonly crypto: AgentCrypto; readonly directory: Directory; readonly now: () => Date },
): Promise<RequestOutcome> => {
  // Another tenant's request on this tenant's queue: no agent here can answer it, ever.
  if (request.tenant !== identity.tenant) {
    return {
      kind: 'refused',
      code: 'REQUEST_MISMATCH',
      message: `the request names tenant ${request.tenant}, not ${identity.tenant}`,
    };
  }
  // A request this agent hands back to the queue (for other agents, or for a key it will
  // read later) stops being handed back once it has expired: by then no agent may answer
  // it, and without this it would come back every few hundred milliseconds until the queue
  // ages it out.
  const expired = deps.now().getTime() >= Date.parse(request.expiresAt);
  const expiredRefusal = {
    kind: 'refused',
    code: 'REQUEST_EXPIRED',
    message: `the request expired at ${request.expiresAt}`,
  } as const;
  const sealed = request.sealed.find((entry) => entry.agentId === identity.agentId);
  if (sealed === undefined) return expired ? expiredRefusal : { kind: 'notForThisAgent' };
  const opened = await deps.crypto.open(sealed);
  if (isLeft(opened) && opened.left.code === 'UNKNOWN_KEY') {
    return expired ? expiredRefusal : { kind: 'keyNotYetKnown', message: opened.left.message };
  }
  if (isLeft(opened)) {
    return { kind: 'refused', code: 'UNDECRYPTABLE', message: opened.left.message };
  }
  const credentials = opened.right;
  // The box binds the request: a box copied into another request, for another agent or
  // tenant, is refused even though it opens.
  if (
    credentials.tenant !== identity.tenant ||
    request.tenant !== identity.tenant ||
    credentials.agentId !== identity.agentId ||
    credentials.attemptId !== request.attemptId ||
    credentials.requestId !== request.requestId
  ) {
    return {
      kind: 'refused',
      code: 'REQUEST_MISMATCH',
      message: 'the sealed credentials name another tenant, agent, attempt or request',
    };
  }
  const now = deps.now();
  if (now.getTime() >= Date.parse(credentials.expiresAt)) {
    return {
      kind: 'refused',
      code: 'REQUEST_EXPIRED',
      message: `the request expired at ${credentials.expiresAt}`,
    };
  }
  const answer = await deps.directory.validate(credentials.username, credentials.password);
  const signed = await deps.crypto.sign({
    v: 1,
    tenant: identity.tenant,
    attemptId: request.attemptId,
    requestId: request.requestId,
    agentId: identity.agentId,
    result: answer.result,
    domainController: answer.domainController,
    answeredAt: deps.now().toISOString(),
  });
  return {
    kind: 'answered',
    answer: signed,
    result: answer.result,
    domainController: answer.domainController,
  };
};
