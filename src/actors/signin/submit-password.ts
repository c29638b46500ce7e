import type { ActiveAgents, ServiceCrypto } from '../ports/agent-crypto.js';
import type { ServiceSide } from '../ports/agent-queues.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { HandleResult, SignInHost } from './sign-in-host.js';
import type { SignInPolicy } from './sign-in-policy.js';

export interface PasswordSubmissionDeps {
  readonly host: SignInHost;
  readonly agents: ActiveAgents;
  readonly crypto: ServiceCrypto;
  readonly requests: Pick<ServiceSide, 'publishRequest'>;
  readonly policy: SignInPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A fresh request id; ids come from outside the domain. */
  readonly newRequestId: () => string;
}

/**
 * Submits a user's password: looks up the active agents and smart lockout, records
 * `PasswordQueued` (or the refusal), and only then seals the password for each agent and
 * queues the request. The password is held in this call's memory and nowhere else: not in
 * the command, not in the event, not in a log.
 */
export const submitPassword =
  (deps: PasswordSubmissionDeps) =>
  async (attemptId: string, password: string, commandId: string): Promise<HandleResult> => {
    const { host, clock } = deps;
    // Held with its user name, the attempt names everything needed here (the user name and
    // the client never change once given); `handle` checks it against the store anyway.
    const held = host.held(attemptId);
    let context = held?.state.context;
    if (context?.username === null || context?.username === undefined) {
      const loaded = await host.load(attemptId);
      if (!loaded.ok) return loaded;
      context = loaded.attempt.state.context;
    }
    const now = clock.now();
    // Two lookups that do not depend on each other: asked at once, not one after the other.
    const [agents, accountLocked] = await Promise.all([
      deps.agents.active(host.tenant),
      deps.policy.accountLocked(context, now),
    ]);
    const requestId = deps.newRequestId();
    return host.handle(
      {
        type: 'submitPassword',
        commandId,
        at: now.toISOString(),
        attemptId,
        requestId,
        activeAgentIds: agents.map((agent) => agent.agentId),
        accountLocked,
      },
      {
        afterCommit: async (record) => {
          if (record.event.type !== 'PasswordQueued' || context?.username == null) return;
          const queued = record.event;
          const sealed = await Promise.all(
            agents
              .filter((agent) => queued.agentIds.includes(agent.agentId))
              .map(async (agent) => ({
                agentId: agent.agentId,
                keyId: agent.boxKey.keyId,
                ciphertext: await deps.crypto.seal(
                  {
                    v: 1,
                    tenant: host.tenant,
                    attemptId,
                    requestId: queued.requestId,
                    agentId: agent.agentId,
                    username: context.username ?? '',
                    password,
                    expiresAt: queued.deadline,
                  },
                  agent.boxKey,
                ),
              })),
          );
          await deps.requests.publishRequest({
            v: 1,
            tenant: host.tenant,
            attemptId,
            requestId: queued.requestId,
            expiresAt: queued.deadline,
            sealed,
          });
          deps.logger.info('signin.request.queued', {
            attemptId,
            requestId: queued.requestId,
            agents: sealed.length,
          });
        },
      },
    );
  };
