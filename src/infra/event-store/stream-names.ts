import {
  STREAM_CATEGORIES,
  type StreamCategory,
  type StreamName,
} from '../../actors/ports/event-store.js';
import { IdSchema } from '../../domain/shared/wire-primitives.js';

/**
 * The in-memory store refuses names the JetStream store could not turn into subjects or
 * consumer names, so a bad name fails in unit tests as it would in production.
 */

const isToken = (value: unknown): value is string => IdSchema.safeParse(value).success;

const isCategory = (value: unknown): value is StreamCategory =>
  (STREAM_CATEGORIES as readonly unknown[]).includes(value);

export const checkCategory = (tenant: string, category: StreamCategory): void => {
  if (!isToken(tenant)) throw new TypeError(`invalid tenant ${JSON.stringify(tenant)}`);
  if (!isCategory(category)) throw new TypeError(`invalid category ${JSON.stringify(category)}`);
};

export const checkStreamName = (stream: StreamName): void => {
  checkCategory(stream.tenant, stream.category);
  if (!isToken(stream.id)) throw new TypeError(`invalid stream id ${JSON.stringify(stream.id)}`);
};

export const checkDurableName = (durableName: string): void => {
  if (!isToken(durableName)) {
    throw new TypeError(`invalid durable name ${JSON.stringify(durableName)}`);
  }
};

/** Map keys; `/` cannot occur inside a token, so different names never share a key. */
export const streamKey = (stream: StreamName): string =>
  `${stream.tenant}/${stream.category}/${stream.id}`;

export const categoryKey = (tenant: string, category: StreamCategory): string =>
  `${tenant}/${category}`;
