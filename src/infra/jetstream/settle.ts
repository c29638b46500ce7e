import type { JsMsg } from '@nats-io/jetstream';
import type { Reaction } from '../../actors/ports/event-store.js';

/**
 * Settles a JetStream message as a handler asked: `done` acknowledges it, `retry` gives it
 * back with a delay, `poison` moves it aside (dead letter, then `term`) so it never blocks
 * the messages behind it. nats-server 2.9 would keep a message that exhausted max_deliver,
 * so nothing relies on max_deliver.
 */
export const settleReaction = async (
  message: JsMsg,
  reaction: Reaction,
  moveAside: (reason: string) => Promise<void>,
): Promise<void> => {
  switch (reaction.kind) {
    case 'done':
      message.ack();
      return;
    case 'retry':
      message.nak(Math.max(0, reaction.delayMs));
      return;
    case 'poison':
      await moveAside(reaction.reason);
      return;
  }
};
