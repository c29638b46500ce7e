import { describeOutcome } from '../../domain/outcomes/outcome-table.js';
import { IdSchema } from '../../domain/shared/wire-primitives.js';
import { UsernameSchema } from '../../domain/signin/events.js';
import { stateNameOf } from '../../domain/signin/state.js';
import type { SignInTimeouts } from '../../domain/signin/timeouts.js';
import type { AttemptChanges } from '../ports/attempt-changes.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { MfaEnrolments } from '../ports/mfa.js';
import type {
  AttemptView,
  FlowError,
  FlowErrorCode,
  FlowResult,
  SignInFlow,
  StartInput,
} from './flow-types.js';
import type { HostError } from './host-errors.js';
import type { LoadedAttempt } from './loaded-attempt.js';
import type { HandleResult, SignInHost } from './sign-in-host.js';
import type { submitPassword } from './submit-password.js';

export interface SignInFlowDeps {
  readonly host: SignInHost;
  readonly submitPassword: ReturnType<typeof submitPassword>;
  readonly mfa: MfaEnrolments;
  readonly changes: AttemptChanges;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Fresh ids for attempts and commands; the flow never draws them itself. */
  readonly newId: () => string;
  /** Recorded in every attempt this flow starts; the machine's defaults when absent. */
  readonly timeouts?: SignInTimeouts;
  /** Wrong codes an attempt takes before it fails; the machine's default (3) when absent. */
  readonly mfaMaxTries?: number;
  /** The longest a caller may wait for an answer in one call; default 30 s. */
  readonly maxWaitMs?: number;
}

/** Passwords longer than this are refused before anything is sealed: no directory takes them. */
export const MAX_PASSWORD_LENGTH = 1024;
const TOTP_CODE = /^[0-9]{6}$/;
/** An attempt records a handful of events; more wake-ups than this in one wait is noise. */
const MAX_WAIT_TURNS = 64;

const fail = (code: FlowErrorCode, message: string) =>
  ({ ok: false, error: { code, message } satisfies FlowError }) as const;

/** How each host refusal reads to a client; the domain's codes stay in the message. */
const fromHostError = (error: HostError): { ok: false; error: FlowError } => {
  switch (error.code) {
    case 'ATTEMPT_NOT_STARTED':
      return fail('SIGNIN_NOT_FOUND', 'no sign-in has this id');
    case 'INVALID_MESSAGE':
      return fail('INVALID_INPUT', error.message);
    case 'EVENT_STORE_UNAVAILABLE':
    case 'CONFLICT_RETRIES_EXHAUSTED':
      return fail('SERVICE_UNAVAILABLE', 'the sign-in service is busy or unavailable; try again');
    case 'CORRUPT_HISTORY':
      return fail('CORRUPT_HISTORY', 'this sign-in cannot be read; an operator has been told');
    default:
      return fail('WRONG_STATE', `${error.message} [${error.code}]`);
  }
};

/** The attempt as clients see it: state, outcome and, for a refusal, what to tell the user. */
export const viewOf = (attempt: LoadedAttempt): AttemptView => {
  const state = stateNameOf(attempt.state);
  const context = attempt.state.context;
  const outcome = context.outcome;
  return {
    id: context.attemptId ?? '',
    state: state === 'notStarted' ? 'awaitingUsername' : state,
    applicationId: context.client?.applicationId ?? null,
    ...(outcome === null ? {} : { outcome }),
    ...(context.methods === null ? {} : { methods: context.methods }),
    ...(outcome === null || outcome === 'signedIn'
      ? {}
      : {
          error: { code: describeOutcome(outcome).code, message: describeOutcome(outcome).message },
        }),
    ...(context.username === null ? {} : { username: context.username }),
    ...(state === 'mfa' && context.mfa !== null ? { mfaTriesLeft: context.mfa.triesLeft } : {}),
  };
};

const isChecking = (view: AttemptView) => view.state === 'queued' || view.state === 'validated';

/**
 * The sign-in flow on a host: each call turns into one command, decided and recorded by the
 * host, and answers with the attempt as recorded afterwards. Input from clients is checked
 * here (ids, user names, passwords, codes) before anything reaches the host, so a bad value
 * costs nothing and is never half-applied.
 */
export const createSignInFlow = (deps: SignInFlowDeps): SignInFlow => {
  const { host, clock } = deps;
  const maxWaitMs = deps.maxWaitMs ?? 30_000;

  const answer = (result: HandleResult): FlowResult<AttemptView> =>
    result.ok ? { ok: true, value: viewOf(result.attempt) } : fromHostError(result.error);

  const checkId = (id: string): FlowError | null =>
    IdSchema.safeParse(id).success
      ? null
      : { code: 'SIGNIN_NOT_FOUND', message: 'no sign-in has this id' };

  /** A new command's id and time: from outside the domain, like every id and instant. */
  const stamp = () => ({ commandId: deps.newId(), at: clock.now().toISOString() });

  const view = async (id: string): Promise<FlowResult<AttemptView>> => {
    const bad = checkId(id);
    if (bad !== null) return { ok: false, error: bad };
    const loaded = await host.load(id);
    if (!loaded.ok) return fromHostError(loaded.error);
    if (loaded.attempt.last === null) return fail('SIGNIN_NOT_FOUND', 'no sign-in has this id');
    return { ok: true, value: viewOf(loaded.attempt) };
  };

  /** Loads an attempt and checks it is in `state` before a step that needs it. */
  const expectState = async (
    id: string,
    state: AttemptView['state'],
  ): Promise<FlowResult<AttemptView>> => {
    const current = await view(id);
    if (!current.ok || current.value.state === state) return current;
    return fail(
      'WRONG_STATE',
      `this sign-in is ${current.value.state}, not ${state}; read it again and follow its state`,
    );
  };

  return {
    tenant: host.tenant,

    start: async (input: StartInput) => {
      const attemptId = input.attemptId ?? deps.newId();
      const bad = checkId(attemptId);
      if (bad !== null) return fail('INVALID_INPUT', 'an attempt id is 1-64 of A-Z a-z 0-9 _ -');
      // The command id is the attempt's own: starting the same attempt twice records it once.
      const result = await host.handle({
        type: 'start',
        commandId: `start-${attemptId}`,
        at: clock.now().toISOString(),
        attemptId,
        tenant: host.tenant,
        client: input.client,
        ...(deps.timeouts === undefined ? {} : { timeouts: deps.timeouts }),
        ...(deps.mfaMaxTries === undefined ? {} : { mfaMaxTries: deps.mfaMaxTries }),
      });
      return answer(result);
    },

    submitUsername: async (id, username) => {
      const bad = checkId(id);
      if (bad !== null) return { ok: false, error: bad };
      // Leading and trailing blanks are what a form adds by accident; no directory keeps them.
      // Compatibility forms (full-width `ｇood`, mathematical `𝐠ood`, `gooⅾ`) are folded (NFKC)
      // as OpenLDAP folds them when it matches: otherwise one directory account would sign in
      // under many spellings, each a user of its own to smart lockout and to applications.
      const parsed = UsernameSchema.safeParse(
        typeof username === 'string' ? username.trim().normalize('NFKC') : username,
      );
      if (!parsed.success) {
        return fail(
          'INVALID_INPUT',
          'username must be text of 1-256 characters without control characters',
        );
      }
      return answer(
        await host.handle({
          type: 'submitUsername',
          ...stamp(),
          attemptId: id,
          username: parsed.data,
        }),
      );
    },

    submitPassword: async (id, password) => {
      const bad = checkId(id);
      if (bad !== null) return { ok: false, error: bad };
      if (
        typeof password !== 'string' ||
        password.length === 0 ||
        password.length > MAX_PASSWORD_LENGTH ||
        password.includes('\u0000')
      ) {
        return fail(
          'INVALID_INPUT',
          `password must be text of 1-${MAX_PASSWORD_LENGTH} characters without NUL`,
        );
      }
      const ready = await expectState(id, 'awaitingPassword');
      if (!ready.ok) return ready;
      return answer(await deps.submitPassword(id, password, deps.newId()));
    },

    submitMfaCode: async (id, code) => {
      const bad = checkId(id);
      if (bad !== null) return { ok: false, error: bad };
      if (typeof code !== 'string' || !TOTP_CODE.test(code)) {
        return fail('INVALID_INPUT', 'code must be the 6 digits your authenticator app shows');
      }
      const ready = await expectState(id, 'mfa');
      if (!ready.ok) return ready;
      const username = ready.value.username ?? '';
      const at = clock.now();
      let verdict;
      try {
        verdict = await deps.mfa.verify(host.tenant, username, code, at);
      } catch (error) {
        // NATS down, or lost races on the enrolment: no try is used up, the user may resend.
        deps.logger.warn('signin.mfa.unavailable', {
          attemptId: id,
          reason: error instanceof Error ? error.message : String(error),
        });
        return fail('SERVICE_UNAVAILABLE', 'the code cannot be checked right now; send it again');
      }
      // A reused code is logged apart: it is what a phished or shoulder-surfed code looks like.
      if (verdict.kind === 'reused') deps.logger.warn('signin.mfa.code-reused', { attemptId: id });
      return answer(
        await host.handle({
          type: 'submitMfaResult',
          ...stamp(),
          attemptId: id,
          valid: verdict.kind === 'valid',
        }),
      );
    },

    cancel: async (id) => {
      const bad = checkId(id);
      if (bad !== null) return { ok: false, error: bad };
      return answer(await host.handle({ type: 'cancel', ...stamp(), attemptId: id, by: 'user' }));
    },

    view,

    waitWhileChecking: async (id, requestedMs) => {
      const bad = checkId(id);
      if (bad !== null) return { ok: false, error: bad };
      const budget = Math.max(0, Math.min(requestedMs, maxWaitMs));
      const until = clock.now().getTime() + budget;
      // Watch first, read second: an answer recorded between the two still wakes us.
      const watch = deps.changes.watch(host.tenant, id);
      try {
        // Each turn reads once per change; the bound only guards against a chatty subject.
        for (let turn = 0; ; turn += 1) {
          const current = await view(id);
          if (!current.ok || !isChecking(current.value)) return current;
          const left = until - clock.now().getTime();
          if (left <= 0 || turn >= MAX_WAIT_TURNS) return current;
          await watch.changed(left);
        }
      } finally {
        watch.close();
      }
    },
  };
};
