import type { JetStreamManager } from '@nats-io/jetstream';
import { requestsSubject } from './subjects.js';
import { REQUESTS_STREAM } from './topology.js';

/**
 * How many sealed requests of a tenant wait on the agents' work queue (taken and not yet
 * acknowledged ones included: a work queue keeps a message until its ack).
 */
export const countPendingRequests = async (
  jsm: JetStreamManager,
  tenant: string,
): Promise<number> => {
  const subject = requestsSubject(tenant);
  const info = await jsm.streams.info(REQUESTS_STREAM, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
};
