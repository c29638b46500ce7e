import type { JetStreamManager } from '@nats-io/jetstream';
import { NoRespondersError, PermissionViolationError, RequestError } from '@nats-io/transport-node';
import { causeChain } from '../nats/cause-chain.js';

/** What the server holds last on one subject, or that it cannot be asked this way. */
export type LastOnSubject =
  /** Nothing is stored on the subject. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'last'; readonly position: number }
  /**
   * The direct get was refused: the stream does not allow it (an older configuration: no
   * responders) or this user may not (permissions). The caller reads another way.
   */
  | { readonly kind: 'unavailable' };

/** No responders, or a permission violation: asking again will not help. */
const isRefused = (error: unknown): boolean =>
  causeChain(error).some(
    (e) =>
      e instanceof NoRespondersError ||
      e instanceof PermissionViolationError ||
      (e instanceof RequestError && e.isNoResponders()),
  );

/**
 * The position of the last message on `subject`, with one direct get (`last_by_subj`). That
 * request names the subject in the API subject itself
 * (`$JS.API.DIRECT.GET.<stream>.<subject>`), so per-tenant subject permissions apply to it
 * as they do to the subject. It needs `allow_direct` on the stream; anything that refuses it
 * is `unavailable`, and other failures (time-outs, a closed connection) are thrown.
 */
export const lastOnSubject = async (
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<LastOnSubject> => {
  try {
    const last = await jsm.direct.getMessage(stream, { last_by_subj: subject });
    return last === null ? { kind: 'empty' } : { kind: 'last', position: last.seq };
  } catch (error) {
    if (isRefused(error)) return { kind: 'unavailable' };
    throw error;
  }
};
