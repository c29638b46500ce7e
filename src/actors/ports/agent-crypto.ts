import type { Either } from 'fp-ts/lib/Either.js';
import type {
  AgentAnswer,
  AnswerPayload,
  SealedCredentials,
} from '../../domain/wire/agent-messages.js';

/** An agent's own keys at work: it opens boxes sealed for it and signs its answers. */
export interface AgentCrypto {
  readonly open: (sealed: {
    readonly keyId: string;
    readonly ciphertext: string;
  }) => Promise<Either<{ readonly code: string; readonly message: string }, SealedCredentials>>;
  readonly sign: (payload: AnswerPayload) => Promise<AgentAnswer>;
}

/** Why the service refuses an answer; the first two are the sign-in machine's reasons. */
export type AnswerRefusal = 'badSignature' | 'unknownAgent' | 'invalidMessage';

/** The service's side: seal for an agent's public key, verify an agent's answer. */
export interface ServiceCrypto {
  readonly seal: (
    credentials: SealedCredentials,
    recipient: { readonly keyId: string; readonly publicKey: string },
  ) => Promise<string>;
  /**
   * Verifies an answer against the registered keys. On refusal it returns what the answer
   * claims (unverified, or null when unreadable), so the refusal can be recorded on the
   * attempt it names.
   */
  readonly verify: (
    answer: AgentAnswer,
  ) => Promise<
    Either<
      { readonly reason: AnswerRefusal; readonly claimed: AnswerPayload | null },
      AnswerPayload
    >
  >;
}

/** A registered agent with fresh heartbeats, and the key to seal requests for it. */
export interface ActiveAgent {
  readonly agentId: string;
  readonly boxKey: { readonly keyId: string; readonly publicKey: string };
}

export interface ActiveAgents {
  readonly active: (tenant: string) => Promise<readonly ActiveAgent[]>;
}
