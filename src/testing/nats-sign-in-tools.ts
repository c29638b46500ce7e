import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventStore } from '../actors/ports/event-store.js';
import { decodeRecord } from '../actors/records/sign-in-record.js';
import { generateAgentKeys, wipeAgentKeys } from '../infra/crypto/agent-keys.js';
import { signAnswer } from '../infra/crypto/sign.js';
import { createJetStreamEventStore } from '../infra/jetstream/event-store.js';
import { answersSubject } from '../infra/jetstream/subjects.js';
import { natsClientOptions } from '../infra/nats/nats-client-options.js';
import type { DriverCall, SignInHistoryObserver } from './driver.js';
import { eventStoreObserver } from './event-store-observer.js';
import { TestingError, errorMessageOf } from './testing-error.js';

export interface NatsSignInToolsOptions {
  /** The deployment's NATS (`passage up` prints it); a comma-separated list for a cluster. */
  readonly natsUrl: string;
  readonly tenant: string;
  /**
   * Where NATS has users (`passage up` makes them and prints their seed files): the seed
   * file the observer reads the log with, an auditor's.
   */
  readonly nkeyFile?: string;
  /**
   * The seed file the forger publishes with: only an agent of the tenant may post answers,
   * so a forged answer comes from someone who holds an agent's NATS credentials but not its
   * signing keys. Absent: the observer's connection publishes.
   */
  readonly forgerNkeyFile?: string;
  /** The CA of a NATS on TLS (`up --nats-tls` prints it). */
  readonly caFile?: string;
  /** Stamps forged answers. */
  readonly now?: () => Date;
  readonly connectTimeoutMs?: number;
}

export interface NatsSignInTools {
  /** Reads an attempt's records (`passage.<tenant>.signin.<id>`), never writes. */
  readonly observer: SignInHistoryObserver;
  /**
   * Publishes, on the agents' answer subject, an answer to the attempt's queued request that
   * claims the addressed agent but is signed with keys no agent registered: the service must
   * record it as an `AnswerRejected` and change nothing else.
   */
  readonly forgeAnswer: (attemptId: string, call: DriverCall) => Promise<void>;
  /** Closes the connection these tools opened. */
  readonly close: () => Promise<void>;
}

/** The queued request of an attempt, as its `PasswordQueued` record names it. */
const queuedRequest = async (store: EventStore, tenant: string, attemptId: string) => {
  let found: { requestId: string; agentId: string } | null = null;
  for await (const message of store.readStream({ tenant, category: 'signin', id: attemptId })) {
    const decoded = decodeRecord(message.body);
    if (decoded._tag === 'Right' && decoded.right.event.type === 'PasswordQueued') {
      const { requestId, agentIds } = decoded.right.event;
      found = { requestId, agentId: agentIds[0] ?? 'agent' };
    }
  }
  return found;
};

/**
 * What a tester reaches through a deployment's NATS: the observer of the records (so the
 * runner checks transient states and the hash chain on what the system wrote) and the forger
 * of answers. Only the forger publishes, and only on the answer subject, where anyone who can
 * reach NATS could publish too: that is the attack the service must withstand.
 */
export const createNatsSignInTools = async (
  options: NatsSignInToolsOptions,
): Promise<NatsSignInTools> => {
  const { tenant } = options;
  const now = options.now ?? (() => new Date());
  const open = async (nkeyFile: string | undefined): Promise<NatsConnection> => {
    try {
      return await connect({
        ...(await natsClientOptions(options.natsUrl, {
          ...(nkeyFile === undefined ? {} : { nkeyFile }),
          ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
        })),
        timeout: options.connectTimeoutMs ?? 5_000,
        reconnect: false,
        name: 'passage-testing',
      });
    } catch (error) {
      throw new TestingError(
        'NATS_UNREACHABLE',
        `cannot reach NATS at ${options.natsUrl}: ${errorMessageOf(error)}`,
        { cause: error },
      );
    }
  };
  const nc = await open(options.nkeyFile);
  let forger: NatsConnection = nc;
  if (options.forgerNkeyFile !== undefined) {
    try {
      forger = await open(options.forgerNkeyFile);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }
  const store = createJetStreamEventStore({ nc });

  const forgeAnswer = async (attemptId: string, { signal }: DriverCall): Promise<void> => {
    const request = await queuedRequest(store, tenant, attemptId);
    signal.throwIfAborted();
    if (request === null) {
      throw new TestingError(
        'NOTHING_TO_FORGE',
        `attempt ${attemptId} has no queued request to forge an answer to`,
      );
    }
    const stranger = await generateAgentKeys(now());
    try {
      const signed = await signAnswer(
        {
          v: 1,
          tenant,
          attemptId,
          requestId: request.requestId,
          agentId: request.agentId,
          result: 'success',
          domainController: 'forged.passage-testing.invalid',
          answeredAt: now().toISOString(),
        },
        stranger,
      );
      if (signed._tag === 'Left') {
        throw new TestingError(
          'FORGE_FAILED',
          `cannot sign the forged answer: ${signed.left.message}`,
        );
      }
      await jetstream(forger).publish(answersSubject(tenant), JSON.stringify(signed.right));
    } catch (error) {
      if (error instanceof TestingError) throw error;
      throw new TestingError(
        'FORGE_FAILED',
        `cannot publish the forged answer: ${errorMessageOf(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      await wipeAgentKeys(stranger);
    }
  };

  return {
    observer: eventStoreObserver(store, tenant),
    forgeAnswer,
    close: async () => {
      await store.close();
      await nc.close();
      if (forger !== nc) await forger.close();
    },
  };
};
