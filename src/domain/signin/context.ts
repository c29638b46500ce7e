import type { AgentResult, Outcome } from '../outcomes/vocabulary.js';
import type { AuthenticationMethods, Client } from './events.js';
import type { SignInTimeouts } from './timeouts.js';

/**
 * What the machine remembers about one attempt. Everything in it comes from events, so two
 * folds of the same events give byte-identical snapshots. No password, ever.
 */
export interface SignInContext {
  readonly attemptId: string | null;
  readonly tenant: string | null;
  readonly client: Client | null;
  readonly timeouts: SignInTimeouts | null;
  readonly mfaMaxTries: number;
  readonly startedAt: string | null;
  readonly username: string | null;
  /** The deadline of the current state; a time-out armed for another deadline is stale. */
  readonly deadline: string | null;
  /** The request queued for the agents, and when (answer latency is measured from it). */
  readonly request: {
    readonly requestId: string;
    readonly agentIds: readonly string[];
    readonly queuedAt: string;
  } | null;
  readonly answer: {
    readonly requestId: string;
    readonly agentId: string;
    readonly result: AgentResult;
    readonly domainController: string | null;
  } | null;
  /** Answers refused as security events while the attempt waited. */
  readonly rejectedAnswers: number;
  readonly mfa: { readonly triesLeft: number } | null;
  /** How the user proved who they are, once signed in (since machine v2). */
  readonly methods: AuthenticationMethods | null;
  readonly outcome: Outcome | null;
  readonly endedAt: string | null;
}

export const initialSignInContext: SignInContext = {
  attemptId: null,
  tenant: null,
  client: null,
  timeouts: null,
  mfaMaxTries: 0,
  startedAt: null,
  username: null,
  deadline: null,
  request: null,
  answer: null,
  rejectedAnswers: 0,
  mfa: null,
  methods: null,
  outcome: null,
  endedAt: null,
};
