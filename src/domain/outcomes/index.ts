// The public face of the outcome mapping: what agents report (vocabulary), how each directory
// dialect's answer becomes an agent result, and what the service makes of that result.
// Named re-exports only, so a rename anywhere breaks the build here rather than at a caller.

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
} from './vocabulary.js';

export {
  LDAP_RESULT_CODES,
  DIRECTORY_UNAVAILABLE_CODES,
  isDirectoryUnavailableCode,
} from './ldap-result-codes.js';

export {
  ACTIVE_DIRECTORY_SUB_CODES,
  type ActiveDirectorySubCode,
  parseActiveDirectoryBindError,
  agentResultOfActiveDirectorySubCode,
  agentResultFromActiveDirectory,
} from './active-directory.js';

export {
  PPOLICY_ERRORS,
  type PpolicyError,
  PPOLICY_NO_ERROR,
  PPOLICY_BIND_RESULTS,
  ppolicyErrorFromValue,
  type OpenLdapBindAnswer,
  agentResultFromOpenLdap,
} from './openldap.js';

export {
  OUTCOME_INFO,
  type OutcomeCode,
  type OutcomeDescription,
  AGENT_RESULT_OUTCOMES,
  type AgentResultRow,
  type OutcomeInfo,
  describeOutcome,
  outcomeOfAgentResult,
} from './outcome-table.js';
