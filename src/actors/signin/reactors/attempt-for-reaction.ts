import type { SignInContext } from '../../../domain/signin/context.js';
import type { Reaction } from '../../ports/event-store.js';
import { isTransient } from '../host-errors.js';
import type { SignInHost } from '../sign-in-host.js';

/**
 * Loads the attempt a reactor reacts to, or says how to react when it cannot: retry later when
 * the store is unavailable, move the record aside when the history is unreadable. The
 * attempt this host holds is enough when it already includes the record reacted to (at
 * `position`): reactors read the attempt's context (user name, client), which no later
 * record changes, and decide through `handle`, which proves its position when it appends.
 */
export const attemptForReaction = async (
  host: SignInHost,
  attemptId: string,
  position: number,
): Promise<{ readonly context: SignInContext } | { readonly reaction: Reaction }> => {
  const held = host.held(attemptId);
  if (held !== undefined && held.position >= position) return { context: held.state.context };
  const loaded = await host.load(attemptId);
  if (loaded.ok) return { context: loaded.attempt.state.context };
  return {
    reaction: isTransient(loaded.error.code)
      ? { kind: 'retry', delayMs: 1000, reason: loaded.error.message }
      : { kind: 'poison', reason: loaded.error.message },
  };
};
