import type { SignInContext } from '../../../domain/signin/context.js';
import type { Reaction } from '../../ports/event-store.js';
import { isTransient } from '../host-errors.js';
import type { SignInHost } from '../sign-in-host.js';

/**
 * Loads the attempt a reactor reacts to, or says how to react when it cannot: retry later when
 * the store is unavailable, move the record aside when the history is unreadable.
 */
export const attemptForReaction = async (
  host: SignInHost,
  attemptId: string,
): Promise<{ readonly context: SignInContext } | { readonly reaction: Reaction }> => {
  const loaded = await host.load(attemptId);
  if (loaded.ok) return { context: loaded.attempt.state.context };
  return {
    reaction: isTransient(loaded.error.code)
      ? { kind: 'retry', delayMs: 1000, reason: loaded.error.message }
      : { kind: 'poison', reason: loaded.error.message },
  };
};
