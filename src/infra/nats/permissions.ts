import { subscriberConsumerName } from '../jetstream/event-store.js';
import { agentRequestsConsumerName, answersConsumerName } from '../jetstream/agent-queues.js';
import {
  answersSubject,
  categoryFilter,
  deadLetterSubject,
  isSubjectToken,
  requestsSubject,
  SUBJECT_ROOT,
  timersSubject,
} from '../jetstream/subjects.js';
import { timerConsumerName } from '../jetstream/timer-queue.js';
import {
  ANSWERS_STREAM,
  DEAD_STREAM,
  EVENTS_STREAM,
  REQUESTS_STREAM,
  TIMERS_STREAM,
} from '../jetstream/topology.js';
import { DEFAULT_AGENTS_BUCKET } from '../agents/agent-registry.js';
import { heartbeatKey, registrationKey, revokedKey } from '../agents/agent-kv-keys.js';
import { DEFAULT_TOKENS_BUCKET } from '../agents/registration-tokens.js';
import { OIDC_BUCKET } from '../http/oidc/kv-adapter.js';
import { MFA_BUCKET } from '../mfa/kv-enrolments.js';
import { commandRepliesPrefix } from '../commands/command-subjects.js';
import { inboxPrefixOf } from './inbox-prefix.js';

/**
 * Who may do what on NATS: the subjects each role may publish and subscribe to, in one
 * place, as data. `passage up` and `passage nats users` render them into nats-server's
 * configuration; docs/nats-security.md explains each line; the integration tests hold a
 * real nats-server 2.9 to them.
 *
 * How nats-server 2.9 is used to enforce them:
 * - Subjects that carry the tenant (`passage.<tenant>.…`, KV keys `<tenant>.…`) are allowed
 *   per tenant; other tenants' subjects are simply not in the list.
 * - JetStream's API is subjects too. Consumers are created with the filter in the API subject
 *   (`$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>`; nats.js v3 does so on 2.9), and the
 *   server refuses a request whose configuration names another filter (10131), so "may
 *   create consumers on its tenant's subjects only" is a subject permission.
 * - Reading and acknowledging (`CONSUMER.MSG.NEXT`, `$JS.ACK`) name the consumer, not the
 *   subjects: where a role's readers have random names (ordered consumers), the service's
 *   durable consumers are denied by name instead.
 * - KV values are read with direct gets that carry the key in the subject
 *   (`$JS.API.DIRECT.GET.KV_<bucket>.$KV.<bucket>.<key>`), and written by publishing to
 *   `$KV.<bucket>.<key>`: both per key.
 * - Replies go to `_INBOX.<the user's public key>.…` (inbox-prefix.ts), the only inboxes a
 *   user may subscribe to.
 */

export type PassageRole =
  /** `passage serve` / `passage host` of a tenant; also `token create` and `mfa`. */
  | { readonly role: 'service'; readonly tenant: string }
  /** One agent (`passage agent register|rotate|run`) of a tenant. */
  | { readonly role: 'agent'; readonly tenant: string; readonly agentId: string }
  /** Reads the event log of these tenants (`passage audit`, `passage replay`). */
  | { readonly role: 'auditor'; readonly tenants: readonly string[] };

export interface RolePermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
}

/**
 * The reactors every service node runs as durable consumers of the event log (src/actors:
 * evaluate-answers, schedule-timers, record-lockout). Listed here, not imported, because the
 * actors only name them; test/integration/nats/role-permissions.test.ts checks that the
 * consumers a real service creates are exactly these.
 */
export const SERVICE_LOG_REACTORS = ['evaluate-answers', 'schedule-timers', 'record-lockout'];

/** The service's durable consumers on PASSAGE_EVENTS for a tenant. */
export const serviceLogConsumers = (tenant: string): string[] =>
  SERVICE_LOG_REACTORS.map((reactor) =>
    subscriberConsumerName({ tenant, category: 'signin', durableName: `${reactor}-${tenant}` }),
  );

const jsApi = (...tokens: string[]): string => ['$JS', 'API', ...tokens].join('.');
const streamInfo = (stream: string): string => jsApi('STREAM', 'INFO', stream);
const createConsumer = (stream: string, name: string, filter: string): string =>
  jsApi('CONSUMER', 'CREATE', stream, name, filter);
const consumerInfo = (stream: string, name: string): string =>
  jsApi('CONSUMER', 'INFO', stream, name);
const nextMessages = (stream: string, name: string): string =>
  jsApi('CONSUMER', 'MSG', 'NEXT', stream, name);
const deleteConsumer = (stream: string, name: string): string =>
  jsApi('CONSUMER', 'DELETE', stream, name);
const acks = (stream: string, name: string): string => `$JS.ACK.${stream}.${name}.>`;
/** `last_by_subj` in the API subject: only the subjects named may be read this way. */
const directGetLast = (stream: string, subjects: string): string =>
  jsApi('DIRECT', 'GET', stream, subjects);

const commandReplies = (tenant: string): string => `${commandRepliesPrefix(tenant)}.*`;

const kvStream = (bucket: string): string => `KV_${bucket}`;
const kvSubject = (bucket: string, key: string): string => `$KV.${bucket}.${key}`;
const kvRead = (bucket: string, key: string): string =>
  jsApi('DIRECT', 'GET', kvStream(bucket), kvSubject(bucket, key));

/** Everything under a tenant's root, for filters: `passage.<tenant>.>`. */
const tenantRoot = (tenant: string): string => `${SUBJECT_ROOT}.${tenant}.>`;

/** Every stream passage creates or updates at start (`ensureStreams`, the KV buckets). */
const SERVICE_STREAMS = [
  EVENTS_STREAM,
  TIMERS_STREAM,
  DEAD_STREAM,
  REQUESTS_STREAM,
  ANSWERS_STREAM,
  kvStream(DEFAULT_AGENTS_BUCKET),
  kvStream(DEFAULT_TOKENS_BUCKET),
  kvStream(MFA_BUCKET),
  kvStream(OIDC_BUCKET),
];

/** What nobody may do to the service's durable consumers of the log, but the service. */
const serviceConsumerDenials = (tenants: readonly string[]): string[] =>
  tenants.flatMap((tenant) =>
    serviceLogConsumers(tenant).flatMap((name) => [
      jsApi('CONSUMER', 'CREATE', EVENTS_STREAM, name, '>'),
      consumerInfo(EVENTS_STREAM, name),
      nextMessages(EVENTS_STREAM, name),
      deleteConsumer(EVENTS_STREAM, name),
    ]),
  );

const servicePublish = (tenant: string): string[] => [
  jsApi('INFO'),
  ...SERVICE_STREAMS.flatMap((stream) => [
    streamInfo(stream),
    jsApi('STREAM', 'CREATE', stream),
    jsApi('STREAM', 'UPDATE', stream),
  ]),
  // The event log: appends, and readers of the tenant's streams (ordered consumers with
  // random names, which delete themselves) and its reactors (durables that acknowledge).
  categoryFilter(tenant, 'signin'),
  categoryFilter(tenant, 'account'),
  directGetLast(EVENTS_STREAM, tenantRoot(tenant)),
  createConsumer(EVENTS_STREAM, '*', tenantRoot(tenant)),
  consumerInfo(EVENTS_STREAM, '*'),
  nextMessages(EVENTS_STREAM, '*'),
  deleteConsumer(EVENTS_STREAM, '*'),
  ...serviceLogConsumers(tenant).map((name) => acks(EVENTS_STREAM, name)),
  // Durable timers.
  timersSubject(tenant),
  createConsumer(TIMERS_STREAM, timerConsumerName(tenant), timersSubject(tenant)),
  consumerInfo(TIMERS_STREAM, timerConsumerName(tenant)),
  nextMessages(TIMERS_STREAM, timerConsumerName(tenant)),
  acks(TIMERS_STREAM, timerConsumerName(tenant)),
  // Answers to commands, where their senders asked (command-subjects.ts): no allow_responses.
  commandReplies(tenant),
  // Sealed requests out, signed answers in.
  requestsSubject(tenant),
  createConsumer(ANSWERS_STREAM, answersConsumerName(tenant), answersSubject(tenant)),
  consumerInfo(ANSWERS_STREAM, answersConsumerName(tenant)),
  nextMessages(ANSWERS_STREAM, answersConsumerName(tenant)),
  acks(ANSWERS_STREAM, answersConsumerName(tenant)),
  // Whatever its consumers cannot read goes aside (event store, timers, answers).
  `${SUBJECT_ROOT}.${tenant}.dead.>`,
  // The agent registry: the tenant's registrations and heartbeats, read, listed, revoked.
  kvRead(DEFAULT_AGENTS_BUCKET, `${tenant}.>`),
  kvSubject(DEFAULT_AGENTS_BUCKET, `${tenant}.>`),
  createConsumer(
    kvStream(DEFAULT_AGENTS_BUCKET),
    '*',
    kvSubject(DEFAULT_AGENTS_BUCKET, `${tenant}.*`),
  ),
  consumerInfo(kvStream(DEFAULT_AGENTS_BUCKET), '*'),
  deleteConsumer(kvStream(DEFAULT_AGENTS_BUCKET), '*'),
  `$JS.FC.${kvStream(DEFAULT_AGENTS_BUCKET)}.>`,
  // Registration tokens are keyed by their hash, which names no tenant.
  kvRead(DEFAULT_TOKENS_BUCKET, '*'),
  kvSubject(DEFAULT_TOKENS_BUCKET, '*'),
  // TOTP enrolments of the tenant's users.
  kvRead(MFA_BUCKET, `${tenant}.*`),
  kvSubject(MFA_BUCKET, `${tenant}.*`),
  // OpenID Connect state: one issuer per service, its keys name no tenant.
  kvRead(OIDC_BUCKET, '>'),
  kvSubject(OIDC_BUCKET, '>'),
];

const agentPublish = (tenant: string, agentId: string): string[] => {
  const queue = agentRequestsConsumerName(tenant);
  return [
    jsApi('INFO'),
    // Its tenant's requests, through the durable all of the tenant's agents share.
    streamInfo(REQUESTS_STREAM),
    createConsumer(REQUESTS_STREAM, queue, requestsSubject(tenant)),
    consumerInfo(REQUESTS_STREAM, queue),
    nextMessages(REQUESTS_STREAM, queue),
    acks(REQUESTS_STREAM, queue),
    // Its answers, and a request it cannot read moved aside (redacted: ids only).
    answersSubject(tenant),
    deadLetterSubject(tenant, queue),
    // Its own registration and heartbeat, and nobody else's; its revocation mark it may
    // read (every read of its registration looks for it) and never write.
    streamInfo(kvStream(DEFAULT_AGENTS_BUCKET)),
    kvRead(DEFAULT_AGENTS_BUCKET, registrationKey(tenant, agentId)),
    kvRead(DEFAULT_AGENTS_BUCKET, revokedKey(tenant, agentId)),
    kvSubject(DEFAULT_AGENTS_BUCKET, registrationKey(tenant, agentId)),
    kvSubject(DEFAULT_AGENTS_BUCKET, heartbeatKey(tenant, agentId)),
    // Spending a registration token: its key is the token's hash, unknown in advance.
    streamInfo(kvStream(DEFAULT_TOKENS_BUCKET)),
    kvRead(DEFAULT_TOKENS_BUCKET, '*'),
    kvSubject(DEFAULT_TOKENS_BUCKET, '*'),
  ];
};

const auditorPublish = (tenants: readonly string[]): string[] => [
  jsApi('INFO'),
  streamInfo(EVENTS_STREAM),
  ...tenants.flatMap((tenant) => [
    // A stream's last record (the subject is in the API subject), and readers of the tenant's
    // streams only: the server refuses a consumer whose filter is not the one named here.
    directGetLast(EVENTS_STREAM, tenantRoot(tenant)),
    createConsumer(EVENTS_STREAM, '*', tenantRoot(tenant)),
  ]),
  consumerInfo(EVENTS_STREAM, '*'),
  nextMessages(EVENTS_STREAM, '*'),
  // Its readers remove themselves when done; the service's consumers are denied below.
  deleteConsumer(EVENTS_STREAM, '*'),
];

const checkTokens = (what: string, values: readonly string[]): void => {
  for (const value of values) {
    // A `*`, `>` or `.` here would widen a permission to other tenants or agents.
    if (!isSubjectToken(value)) throw new TypeError(`${what} ${JSON.stringify(value)}`);
  }
};

const unique = (subjects: readonly string[]): string[] => [...new Set(subjects)];

/**
 * The permissions of one NATS user. `knownTenants` are the tenants whose service consumers
 * the others must not touch (every tenant this server serves: the configuration is made for
 * all of them at once).
 */
export const permissionsFor = (
  role: PassageRole,
  publicKey: string,
  knownTenants: readonly string[] = [],
): RolePermissions => {
  checkTokens('not a NATS public key:', [publicKey]);
  checkTokens('not a subject-safe tenant:', knownTenants);
  const inbox = `${inboxPrefixOf(publicKey)}.>`;
  switch (role.role) {
    case 'service': {
      checkTokens('not a subject-safe tenant:', [role.tenant]);
      const others = knownTenants.filter((tenant) => tenant !== role.tenant);
      return {
        publish: { allow: servicePublish(role.tenant), deny: serviceConsumerDenials(others) },
        // Commands for its hosts, and the nudges `?wait=` listens for.
        subscribe: {
          allow: [
            inbox,
            `${SUBJECT_ROOT}.${role.tenant}.commands`,
            categoryFilter(role.tenant, 'signin'),
          ],
        },
      };
    }
    case 'agent':
      checkTokens('not a subject-safe tenant or agent id:', [role.tenant, role.agentId]);
      return {
        publish: { allow: agentPublish(role.tenant, role.agentId), deny: [] },
        subscribe: { allow: [inbox] },
      };
    case 'auditor':
      checkTokens('not a subject-safe tenant:', role.tenants);
      if (role.tenants.length === 0) throw new TypeError('an auditor reads at least one tenant');
      return {
        publish: {
          allow: auditorPublish(role.tenants),
          deny: serviceConsumerDenials(unique([...knownTenants, ...role.tenants])),
        },
        subscribe: { allow: [inbox] },
      };
  }
};
