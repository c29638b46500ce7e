/** Where a tenant's hosts listen for commands; all hosts share one queue group. */
export const commandSubject = (tenant: string): string => `passage.${tenant}.commands`;
export const HOST_QUEUE_GROUP = 'passage-hosts';

/**
 * Where hosts answer commands: `passage.<tenant>.replies.<token>`, named by the requester.
 * The service publishes its answers there as ordinary messages, so its NATS user needs no
 * `allow_responses` (which made nats-server 2.9 remember every JetStream delivery's reply
 * subject for that user, at a cost per message: docs/performance.md), and a requester cannot
 * make a host publish anywhere else: a reply subject outside this tenant's replies (the
 * event log's subjects among them) is refused, never answered.
 */
export const commandRepliesPrefix = (tenant: string): string => `passage.${tenant}.replies`;

/** One token after the prefix: no wildcards, no further levels, nothing empty. */
const REPLY_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export const isCommandReplySubject = (tenant: string, subject: string): boolean => {
  const prefix = `${commandRepliesPrefix(tenant)}.`;
  return subject.startsWith(prefix) && REPLY_TOKEN.test(subject.slice(prefix.length));
};
