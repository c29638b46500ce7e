import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { z } from 'zod';
import type { DeadLetter } from '../../actors/ports/event-store.js';
import { messageIdOf } from './stored-message.js';
import { streamNameOf } from './subjects.js';

/**
 * A message moved aside, as stored on PASSAGE_DEAD: why, by whom, when, and the original
 * message as it was (its body still the text it was written as). Written and read only by
 * passage, so it is versioned like every other record.
 */
const DeadLetterEnvelopeSchema = z.object({
  v: z.literal(1),
  durableName: z.string(),
  reason: z.string(),
  deadAt: z.string(),
  original: z.object({
    subject: z.string(),
    sequence: z.number().int().nonnegative(),
    id: z.string(),
    body: z.string(),
    storedAt: z.string(),
  }),
});
export type DeadLetterEnvelope = z.infer<typeof DeadLetterEnvelopeSchema>;

export const deadLetterEnvelope = (
  message: JsMsg,
  durableName: string,
  reason: string,
  deadAt: Date,
): DeadLetterEnvelope => ({
  v: 1,
  durableName,
  reason,
  deadAt: deadAt.toISOString(),
  original: {
    subject: message.subject,
    sequence: message.seq,
    id: messageIdOf(message),
    body: message.string(),
    storedAt: message.time.toISOString(),
  },
});

/**
 * Publishes a dead letter. Its message id names the original, so moving the same message
 * aside twice (the term was lost, the message came back) keeps one dead letter.
 */
export const publishDeadLetter = async (
  js: JetStreamClient,
  subject: string,
  envelope: DeadLetterEnvelope,
): Promise<void> => {
  await js.publish(subject, JSON.stringify(envelope), {
    msgID: `dead:${envelope.durableName}:${envelope.original.sequence}`,
  });
};

export const parseDeadLetterEnvelope = (text: string): DeadLetterEnvelope | undefined => {
  try {
    const parsed = DeadLetterEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** An event-store dead letter as the port describes it; undefined if it is not one. */
export const toDeadLetter = (envelope: DeadLetterEnvelope): DeadLetter | undefined => {
  const stream = streamNameOf(envelope.original.subject);
  if (stream === undefined) return undefined;
  return {
    durableName: envelope.durableName,
    reason: envelope.reason,
    message: {
      stream,
      position: envelope.original.sequence,
      id: envelope.original.id,
      body: envelope.original.body,
      storedAt: envelope.original.storedAt,
    },
  };
};
