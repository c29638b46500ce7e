import type { Reaction, StoredMessage } from '../../actors/ports/event-store.js';

/**
 * One durable cursor of the in-memory store: the subscribers that share a durable name on one
 * tenant's category. Like a JetStream durable consumer it outlives its subscribers, hands each
 * message to one idle subscriber at a time, and redelivers what was not answered `done`.
 */

export type MessageHandler = (message: StoredMessage) => Promise<Reaction>;

export interface DurableGroupEnvironment {
  /** The category's messages in store order; the store only ever appends to it. */
  readonly log: readonly StoredMessage[];
  /** Moves a message aside under this group's durable name. */
  readonly poison: (message: StoredMessage, reason: string) => void;
  /** How long a message whose handler threw waits before it is delivered again. */
  readonly throwRetryDelayMs: number;
  readonly isClosed: () => boolean;
}

export interface DurableGroupMember {
  readonly leave: () => void;
}

export interface DurableGroup {
  readonly join: (handler: MessageHandler) => DurableGroupMember;
  /** Something was appended to the category: deliver it if a subscriber is idle. */
  readonly notify: () => void;
  /** The store closed: forget the subscribers and clear the timer. */
  readonly shutdown: () => void;
}

interface Member {
  readonly handler: MessageHandler;
  busy: boolean;
}

interface Redelivery {
  readonly message: StoredMessage;
  /** Date.now() from which it may be delivered again. */
  readonly dueAt: number;
  /**
   * Set by the timer only, never on the way back from a handler: a retry without delay then
   * waits for the event loop to turn instead of going round and round on microtasks.
   */
  released: boolean;
}

const delayOf = (ms: number): number => (Number.isFinite(ms) && ms > 0 ? ms : 0);

export const createDurableGroup = (environment: DurableGroupEnvironment): DurableGroup => {
  const { log } = environment;
  /** Index in `log` of the next message no subscriber of the group has been given yet. */
  let nextIndex = 0;
  const redeliveries: Redelivery[] = [];
  let members: Member[] = [];
  /** Where the search for an idle member starts, so that members take turns. */
  let turn = 0;
  let wake: NodeJS.Timeout | undefined;

  const disarm = (): void => {
    if (wake !== undefined) clearTimeout(wake);
    wake = undefined;
  };

  const idleMember = (): { member: Member; index: number } | undefined => {
    for (let step = 0; step < members.length; step += 1) {
      const index = (turn + step) % members.length;
      const member = members[index];
      if (member !== undefined && !member.busy) return { member, index };
    }
    return undefined;
  };

  /** Released redeliveries first (lowest position first, close to store order), then new. */
  const takeMessage = (): StoredMessage | undefined => {
    let chosen = -1;
    redeliveries.forEach((redelivery, index) => {
      if (!redelivery.released) return;
      const best = redeliveries[chosen];
      if (best === undefined || redelivery.message.position < best.message.position) {
        chosen = index;
      }
    });
    if (chosen >= 0) return redeliveries.splice(chosen, 1)[0]?.message;
    const next = log[nextIndex];
    if (next !== undefined) nextIndex += 1;
    return next;
  };

  const redeliverLater = (message: StoredMessage, delayMs: number): void => {
    redeliveries.push({ message, dueAt: Date.now() + delayOf(delayMs), released: false });
  };

  const apply = (message: StoredMessage, reaction: Reaction | undefined): void => {
    switch (reaction?.kind) {
      case 'done':
        return;
      case 'retry':
        return redeliverLater(message, reaction.delayMs);
      case 'poison':
        return environment.poison(message, reaction.reason);
      default:
        // The handler threw (or answered nothing): at least once means it comes back.
        return redeliverLater(message, environment.throwRetryDelayMs);
    }
  };

  const deliver = (member: Member, message: StoredMessage): void => {
    member.busy = true;
    const settle = (reaction: Reaction | undefined): void => {
      member.busy = false;
      if (environment.isClosed()) return;
      apply(message, reaction);
      pump();
    };
    // Called on a later tick so a handler never runs inside append() or subscribe().
    Promise.resolve()
      .then(() => member.handler(message))
      .then(settle, () => settle(undefined));
  };

  const release = (): void => {
    const now = Date.now();
    for (const redelivery of redeliveries) if (redelivery.dueAt <= now) redelivery.released = true;
  };

  /** Arms one timer for the earliest redelivery not released yet, if anyone can take it. */
  const arm = (): void => {
    if (members.length === 0) return;
    let earliest = Infinity;
    for (const { dueAt, released } of redeliveries) {
      if (!released && dueAt < earliest) earliest = dueAt;
    }
    if (earliest === Infinity) return;
    wake = setTimeout(
      () => {
        wake = undefined;
        release();
        pump();
      },
      Math.max(1, earliest - Date.now()),
    );
  };

  function pump(): void {
    if (environment.isClosed()) return;
    disarm();
    for (;;) {
      const idle = idleMember();
      if (idle === undefined) break;
      const message = takeMessage();
      if (message === undefined) break;
      turn = (idle.index + 1) % members.length;
      deliver(idle.member, message);
    }
    // Released redeliveries left over wait for a busy member to settle, which pumps again.
    arm();
  }

  return {
    join: (handler) => {
      const member: Member = { handler, busy: false };
      members.push(member);
      pump();
      return {
        leave: () => {
          // A message the member is still handling stays its own: the handler's answer is
          // applied when it comes, and a retry goes to whoever is subscribed then.
          members = members.filter((m) => m !== member);
          turn = 0;
          if (members.length === 0) disarm();
        },
      };
    },
    notify: pump,
    shutdown: () => {
      members = [];
      disarm();
    },
  };
};
