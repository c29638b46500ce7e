import { REACTORS, type Reactor } from '../actors/signin/sign-in-services.js';
import {
  STREAM_REPLICAS,
  isStreamReplicas,
  type StreamReplicas,
} from '../infra/jetstream/stream-replicas.js';
import {
  MAX_MFA_TRIES,
  SignInTimeoutsSchema,
  defaultSignInTimeouts,
  type SignInTimeouts,
} from '../domain/signin/timeouts.js';

/**
 * Settings of the sign-in service that `passage serve` takes and `passage up` hands on to the
 * service it starts: parsed here once, so both refuse the same values with the same words.
 * Each parser returns the value, undefined when not given, or the problem as text.
 */

/**
 * `--timeouts '{"agentSeconds":10}'`: some of the attempt's time limits, the others from the
 * defaults. Recorded in every attempt started, so changing them never changes old attempts.
 */
export const parseTimeouts = (text: string | undefined): SignInTimeouts | string | undefined => {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return '--timeouts is a JSON object, e.g. {"agentSeconds":10}';
  }
  const merged = SignInTimeoutsSchema.safeParse({
    ...defaultSignInTimeouts,
    ...(typeof json === 'object' && json !== null ? json : { invalid: true }),
  });
  return merged.success
    ? merged.data
    : `--timeouts: ${merged.error.issues[0]?.message ?? 'not valid'} (keys: ${Object.keys(defaultSignInTimeouts).join(', ')})`;
};

/** `--reactors timers,answers`: the background work this node takes part in (default all). */
export const parseReactors = (
  text: string | undefined,
): readonly Reactor[] | string | undefined => {
  if (text === undefined || text === 'all') return undefined;
  if (text === 'none') return [];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(REACTORS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return `--reactors takes all, none or a list of ${REACTORS.join(', ')} (not ${unknown.join(', ')})`;
  }
  return names as Reactor[];
};

/** `--mfa-tries 3`: the wrong second-factor codes an attempt takes. */
export const parseMfaTries = (text: string | undefined): number | string | undefined => {
  if (text === undefined) return undefined;
  const tries = Number(text);
  return /^[0-9]+$/.test(text) && tries >= 1 && tries <= MAX_MFA_TRIES
    ? tries
    : `--mfa-tries is a whole number from 1 to ${MAX_MFA_TRIES}`;
};

/**
 * `--stream-replicas 3`: copies of passage's streams and buckets on a JetStream cluster. Odd
 * counts only (1, 3, 5): a majority of the copies must survive the loss of the others.
 */
export const parseStreamReplicas = (
  text: string | undefined,
): StreamReplicas | string | undefined => {
  if (text === undefined) return undefined;
  const replicas = Number(text);
  return /^[0-9]+$/.test(text) && isStreamReplicas(replicas)
    ? replicas
    : `--stream-replicas is one of ${STREAM_REPLICAS.join(', ')} (3 or 5 on a JetStream cluster)`;
};
