import {
  STREAM_CATEGORIES,
  type StreamCategory,
  type StreamName,
} from '../../actors/ports/event-store.js';

/**
 * Every NATS subject passage uses starts with `passage.<tenant>.`, so one permission per
 * tenant covers a tenant's traffic. Tenants and ids are subject-safe by their schemas (no
 * `.`, `*`, `>` or white space), so they are used as subject tokens as they are.
 */
export const SUBJECT_ROOT = 'passage';

/** `passage.<tenant>.signin.<attemptId>`: one sign-in attempt's events. */
export const signInSubject = (tenant: string, attemptId: string): string =>
  `${SUBJECT_ROOT}.${tenant}.signin.${attemptId}`;

/** `passage.<tenant>.account.<key>`: one account's smart-lockout events. */
export const accountSubject = (tenant: string, key: string): string =>
  `${SUBJECT_ROOT}.${tenant}.account.${key}`;

/** The subject that holds one event stream (an aggregate instance) of the event store. */
export const streamSubject = (stream: StreamName): string =>
  `${SUBJECT_ROOT}.${stream.tenant}.${stream.category}.${stream.id}`;

/** Every stream of one category of a tenant: a single filter subject (server 2.9 takes one). */
export const categoryFilter = (tenant: string, category: StreamCategory): string =>
  `${SUBJECT_ROOT}.${tenant}.${category}.*`;

/** `passage.<tenant>.timers`: a tenant's durable deadlines (a work queue). */
export const timersSubject = (tenant: string): string => `${SUBJECT_ROOT}.${tenant}.timers`;

/** Where a subscriber named `durableName` moves the messages it cannot process. */
export const deadLetterSubject = (tenant: string, durableName: string): string =>
  `${SUBJECT_ROOT}.${tenant}.dead.${durableName}`;

/** Every event-store dead letter of a tenant (one token: one durable name). */
export const deadLettersFilter = (tenant: string): string => `${SUBJECT_ROOT}.${tenant}.dead.*`;

/**
 * Where the timer queue moves unreadable timer messages. Two tokens after `dead`, so they
 * are kept apart from the event store's dead letters (`deadLettersFilter` does not match).
 */
export const timerDeadLetterSubject = (tenant: string): string =>
  `${SUBJECT_ROOT}.${tenant}.dead.timers.unreadable`;

const isCategory = (value: string): value is StreamCategory =>
  (STREAM_CATEGORIES as readonly string[]).includes(value);

/** The stream a subject of the event log belongs to, or undefined for any other subject. */
export const streamNameOf = (subject: string): StreamName | undefined => {
  const tokens = subject.split('.');
  if (tokens.length !== 4) return undefined;
  const [root, tenant, category, id] = tokens;
  if (root !== SUBJECT_ROOT || tenant === undefined || id === undefined) return undefined;
  if (category === undefined || !isCategory(category)) return undefined;
  return { tenant, category, id };
};

/** Subject tokens passage accepts from callers: what IdSchema and TenantSchema allow. */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export const isSubjectToken = (value: string): boolean => SUBJECT_TOKEN.test(value);

/** Where the service queues sealed requests for a tenant's agents. */
export const requestsSubject = (tenant: string): string => `${SUBJECT_ROOT}.${tenant}.requests`;
/** Where a tenant's agents post their signed answers. */
export const answersSubject = (tenant: string): string => `${SUBJECT_ROOT}.${tenant}.answers`;
