import type { Outcome } from '../../domain/outcomes/vocabulary.js';
import type { SignInStateName } from '../../domain/signin/machine.js';
import type { SignInRecord } from '../../domain/wire/service-messages.js';

/**
 * What an auditor asks of one attempt: who, from where, through which agent and domain
 * controller, when, and how it ended. Built from its records as they verify, so a search
 * never reads an attempt twice. Unlike a timeline (event-details.ts), it names the user and
 * the client address: audit search is for those entitled to read the event log.
 */
export interface AttemptSummary {
  readonly tenant: string | null;
  readonly attemptId: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly username: string | null;
  readonly clientAddress: string | null;
  readonly applicationId: string | null;
  /** The agents that answered, in order; a forged answer's claimed agent is not one. */
  readonly agentIds: readonly string[];
  readonly domainControllers: readonly string[];
  readonly rejectedAnswers: number;
  readonly state: SignInStateName;
  readonly outcome: Outcome | null;
  readonly machineVersions: readonly number[];
}

export interface SummaryBuilder {
  readonly add: (record: SignInRecord, outcome: Outcome | null) => void;
  readonly summary: () => AttemptSummary;
}

const pushNew = <T>(items: T[], item: T): void => {
  if (!items.includes(item)) items.push(item);
};

export const createSummaryBuilder = (attemptId: string): SummaryBuilder => {
  let tenant: string | null = null;
  let startedAt: string | null = null;
  let endedAt: string | null = null;
  let username: string | null = null;
  let clientAddress: string | null = null;
  let applicationId: string | null = null;
  let rejectedAnswers = 0;
  let state: SignInStateName = 'notStarted';
  let outcome: Outcome | null = null;
  const agentIds: string[] = [];
  const domainControllers: string[] = [];
  const machineVersions: number[] = [];

  return {
    add: (record, outcomeAfter) => {
      const event = record.event;
      tenant = record.tenant;
      state = record.state;
      outcome = outcomeAfter;
      pushNew(machineVersions, record.machineVersion);
      switch (event.type) {
        case 'SignInStarted':
          startedAt = event.at;
          clientAddress = event.client.address;
          applicationId = event.client.applicationId;
          break;
        case 'UsernameSubmitted':
          username = event.username;
          break;
        case 'AgentAnswered':
          pushNew(agentIds, event.agentId);
          if (event.domainController !== null) pushNew(domainControllers, event.domainController);
          break;
        case 'AnswerRejected':
          rejectedAnswers += 1;
          break;
        default:
          break;
      }
      if (record.state === 'done') endedAt = event.at;
    },
    summary: () => ({
      tenant,
      attemptId,
      startedAt,
      endedAt,
      username,
      clientAddress,
      applicationId,
      agentIds: [...agentIds],
      domainControllers: [...domainControllers],
      rejectedAnswers,
      state,
      outcome,
      machineVersions: [...machineVersions],
    }),
  };
};
