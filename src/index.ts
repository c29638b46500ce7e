/**
 * passage's public API. Every name is exported explicitly, so the surface is what this file
 * says and a rename anywhere fails the build here rather than in a user's code.
 *
 * - The sign-in attempt: its machine (`signInMachine`, the attempt's evolve), `decide`,
 *   schemas for its commands and events, and state helpers.
 * - The outcome table: directory answers → agent results → user-facing outcomes.
 * - Smart lockout: its own pure decider, one per account.
 * - Wire schemas for every message the service and the agents exchange.
 * - The model-based path generator (also at `passage/testing`).
 */
export { foldEvents, type Decider } from './domain/shared/decider.js';
export {
  IdSchema,
  TenantSchema,
  InstantSchema,
  type Id,
  type Tenant,
  type Instant,
} from './domain/shared/wire-primitives.js';

export {
  SIGNIN_MACHINE_VERSION,
  RELEASED_MACHINE_VERSIONS,
  isReleasedMachineVersion,
  type SignInMachineVersion,
  type ReleasedMachineVersion,
} from './domain/signin/version.js';
export {
  RELEASED_MACHINES,
  releasedMachine,
  type ReleasedMachine,
  type VersionedSignInState,
} from './domain/signin/released-machines.js';
export {
  upcastToCurrent,
  upcastTo,
  upcastV1ToV2,
  type RecordedSignInEvent,
} from './domain/signin/upcast.js';
export {
  SignInEventV1Schema,
  SignInSucceededV1Schema,
  type SignInEventV1,
} from './domain/signin/released/v1-events.js';
export { signInMachineV1, type SignInMachineV1 } from './domain/signin/released/v1-machine.js';
export {
  signInMachine,
  signInMachineV2,
  SIGNIN_STATES,
  type SignInMachine,
  type SignInStateName,
} from './domain/signin/machine.js';
export { initialSignInContext, type SignInContext } from './domain/signin/context.js';
export {
  SignInEventSchema,
  SIGNIN_EVENT_TYPES,
  ANSWER_REJECTION_REASONS,
  ClientSchema,
  UsernameSchema,
  AuthenticationMethodsSchema,
  AUTHENTICATION_METHODS,
  type AuthenticationMethod,
  type AuthenticationMethods,
  MachineVersionSchema,
  decodeSignInEvent,
  type Client,
  type SignInEvent,
  type SignInEventOf,
  type SignInEventType,
} from './domain/signin/events.js';
export {
  SignInCommandSchema,
  SIGNIN_COMMAND_TYPES,
  decodeSignInCommand,
  type SignInCommand,
  type SignInCommandOf,
  type SignInCommandType,
} from './domain/signin/commands.js';
export {
  SignInTimeoutsSchema,
  defaultSignInTimeouts,
  DEFAULT_MFA_MAX_TRIES,
  MAX_MFA_TRIES,
  type SignInTimeouts,
} from './domain/signin/timeouts.js';
export {
  SIGNIN_ERROR_CODES,
  type SignInDecisionError,
  type SignInErrorCode,
} from './domain/signin/errors.js';
export { decide } from './domain/signin/decide.js';
export {
  evolve,
  applySignInEvent,
  foldSignInEvents,
  EVOLVE_ERROR_CODES,
  type EvolveError,
  type EvolveErrorCode,
} from './domain/signin/evolve.js';
export {
  initialSignInState,
  stateNameOf,
  contextOf,
  outcomeOf,
  isFinished,
  persistSignInState,
  restoreSignInState,
  type SignInState,
} from './domain/signin/state.js';
export { signInDecider } from './domain/signin/decider.js';
export {
  INVALID_MESSAGE,
  decodeWith,
  decodeJsonWith,
  type DecodeError,
  type DecodeIssue,
} from './domain/wire/decode.js';
export {
  PasswordSchema,
  SealedCredentialsSchema,
  AgentRequestSchema,
  AnswerPayloadSchema,
  AgentAnswerSchema,
  AgentHeartbeatSchema,
  AgentRegistrationSchema,
  decodeSealedCredentials,
  decodeAgentRequest,
  decodeAnswerPayload,
  decodeAgentAnswer,
  decodeAgentHeartbeat,
  decodeAgentRegistration,
  validateAgentRegistration,
  type SealedCredentials,
  type AgentRequest,
  type AnswerPayload,
  type AgentAnswer,
  type AgentHeartbeat,
  type AgentRegistration,
} from './domain/wire/agent-messages.js';
export {
  CommandEnvelopeSchema,
  TimerSchema,
  SignInRecordSchema,
  decodeCommandEnvelope,
  decodeTimer,
  decodeSignInRecord,
  type CommandEnvelope,
  type Timer,
  type SignInRecord,
} from './domain/wire/service-messages.js';
export {
  AGENT_RESULTS,
  AgentResultSchema,
  type AgentResult,
  OUTCOMES,
  OutcomeSchema,
  type Outcome,
  FAILURE_OUTCOMES,
  FailureOutcomeSchema,
  type FailureOutcome,
} from './domain/outcomes/vocabulary.js';

export {
  LDAP_RESULT_CODES,
  DIRECTORY_UNAVAILABLE_CODES,
  isDirectoryUnavailableCode,
} from './domain/outcomes/ldap-result-codes.js';

export {
  ACTIVE_DIRECTORY_SUB_CODES,
  type ActiveDirectorySubCode,
  parseActiveDirectoryBindError,
  agentResultOfActiveDirectorySubCode,
  agentResultFromActiveDirectory,
} from './domain/outcomes/active-directory.js';

export {
  PPOLICY_ERRORS,
  type PpolicyError,
  PPOLICY_NO_ERROR,
  PPOLICY_BIND_RESULTS,
  ppolicyErrorFromValue,
  type OpenLdapBindAnswer,
  agentResultFromOpenLdap,
} from './domain/outcomes/openldap.js';

export {
  OUTCOME_INFO,
  type OutcomeCode,
  type OutcomeDescription,
  AGENT_RESULT_OUTCOMES,
  type AgentResultRow,
  type OutcomeInfo,
  describeOutcome,
  outcomeOfAgentResult,
} from './domain/outcomes/outcome-table.js';
export {
  signInPaths,
  signInTestModel,
  PATH_STRATEGIES,
  type PathStrategy,
  type SignInPath,
  type SignInPathStep,
} from './testing/paths.js';
export { pathCoverage, formatCoverage, type Coverage } from './testing/coverage.js';
export {
  lockoutDecider,
  decideLockout,
  evolveLockout,
  foldLockout,
  lockoutStatus,
  isLockedAt,
  initialLockoutState,
  defaultLockoutPolicy,
  LockoutPolicySchema,
  LockoutCommandSchema,
  LockoutEventSchema,
  decodeLockoutCommand,
  decodeLockoutEvent,
  directoryPolicyConflicts,
  windowsDefaultDirectoryPolicy,
  LOCKOUT_ERROR_CODES,
  type LockoutDecider,
  type LockoutPolicy,
  type LockoutCommand,
  type LockoutEvent,
  type LockoutState,
  type LockoutStatus,
  type LockoutError,
  type DirectoryLockoutPolicy,
} from './domain/lockout/index.js';
export { commandForStep } from './testing/command-for-step.js';
export {
  hashRecord,
  buildRecord,
  nextRecord,
  encodeRecord,
  decodeRecord,
  type RecordFields,
} from './actors/records/sign-in-record.js';
export {
  verifyAttempt,
  verifyAttemptTexts,
  createAttemptVerifier,
  type AttemptVerification,
  type TimelineEntry,
  type RecordInput,
} from './actors/replay/verify-attempt.js';
export { formatTimeline, timelineJsonLines } from './actors/replay/format-timeline.js';
export {
  DIVERGENCE_CODES,
  type Divergence,
  type DivergenceCode,
} from './actors/replay/divergence.js';
export { sendCommand, commandRequestOptions } from './infra/commands/command-client.js';
export {
  commandSubject,
  commandRepliesPrefix,
  isCommandReplySubject,
} from './infra/commands/command-subjects.js';
