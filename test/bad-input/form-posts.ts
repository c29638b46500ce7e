import fc from 'fast-check';
import { garbageBytes, hostileText, longText } from './hostile-strings.js';
import { asSent, percentEncode } from './url-encoding.js';

/**
 * Generated requests for the sign-in page's routes (`/interaction/<uid>` and its form posts),
 * as the page's own forms would never send them: from another site, to a step that does not
 * exist, with a broken `try`, for another page, without the cookie, with bodies of the wrong
 * type or size, with field values the flow refuses, and with values it accepts at the wrong
 * moment. What each must get depends on the attempt behind the page, so the expected answer
 * is worked out when the request is sent (see `expectedAnswer`).
 */

export type Step = 'username' | 'password' | 'mfa';
const STEPS: readonly Step[] = ['username', 'password', 'mfa'];
const FIELD: Readonly<Record<Step, string>> = {
  username: 'username',
  password: 'password',
  mfa: 'code',
};
/** The tries a test opens on each page before sending anything (each starts an attempt). */
export const OPEN_TRIES = 5;

export type PagePost =
  | { readonly fault: 'view'; readonly tryParam: string | null }
  | {
      readonly fault: 'cross site';
      readonly step: string;
      readonly headers: Record<string, string>;
    }
  | { readonly fault: 'no such step'; readonly step: string }
  | { readonly fault: 'bad try'; readonly step: string; readonly tryParam: string }
  | { readonly fault: 'another page'; readonly step: string; readonly uid: string }
  | { readonly fault: 'no cookie'; readonly step: string }
  | {
      readonly fault: 'body';
      readonly step: Step;
      readonly type: string;
      readonly payload: string | Buffer;
      readonly status: 400 | 413 | 415;
      readonly code: 'MALFORMED_JSON' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE';
    }
  | {
      readonly fault: 'value';
      readonly step: Step;
      readonly tryParam: string | null;
      readonly encoding: 'form' | 'json';
      /** The field's value: a string, a repeated field, or absent. */
      readonly value: string | readonly string[] | undefined;
    };

const validTry = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: OPEN_TRIES }).map(String));
const badTry = fc.oneof(
  fc.constantFrom('0', '21', '01', '1.0', '+1', '-1', ' 1', '1e1', '999', '1000', ''),
  hostileText().filter((t) => !/^[1-9][0-9]{0,2}$/.test(asSent(t)) || Number(asSent(t)) > 20),
);

/** The try a post is for: `try` absent is the first. */
export const tryOf = (tryParam: string | null): number =>
  tryParam === null ? 1 : Number(tryParam);

const formValue = fc.oneof(
  { arbitrary: hostileText(['ada', '123456']), weight: 6 },
  { arbitrary: fc.constantFrom('ada', ' ada ', '123456', '', ' ', 'x'.repeat(1025)), weight: 2 },
  { arbitrary: longText(250, 2000), weight: 1 },
);

export const pagePost = (otherUids: fc.Arbitrary<string>): fc.Arbitrary<PagePost> =>
  fc.oneof(
    { arbitrary: validTry.map((tryParam) => ({ fault: 'view' as const, tryParam })), weight: 2 },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(...STEPS, 'cancel'),
          fc.oneof(
            fc.constantFrom({ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }),
            fc
              .constantFrom('https://evil.example', 'http://127.0.0.1', 'http://localhost:1')
              .map((origin) => ({ origin })),
          ),
        )
        .map(([step, headers]) => ({ fault: 'cross site' as const, step, headers })),
      weight: 1,
    },
    {
      arbitrary: hostileText()
        .filter(
          (s) =>
            ![...STEPS, 'cancel', ''].includes(asSent(s)) &&
            !/^(\.|%2e){1,2}$/i.test(percentEncode(s)),
        )
        .map((step) => ({ fault: 'no such step' as const, step })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...STEPS, 'cancel'), badTry)
        .map(([step, tryParam]) => ({ fault: 'bad try' as const, step, tryParam })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...STEPS, 'cancel'), otherUids)
        .map(([step, uid]) => ({ fault: 'another page' as const, step, uid })),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom(...STEPS, 'cancel')
        .map((step) => ({ fault: 'no cookie' as const, step })),
      weight: 1,
    },
    {
      arbitrary: fc.oneof(
        fc
          .tuple(fc.constantFrom(...STEPS), fc.integer({ min: 16 * 1024 + 1, max: 128 * 1024 }))
          .map(([step, size]) => ({
            fault: 'body' as const,
            step,
            type: 'application/x-www-form-urlencoded',
            payload: `${FIELD[step]}=${'a'.repeat(size)}`,
            status: 413 as const,
            code: 'BODY_TOO_LARGE' as const,
          })),
        fc
          .tuple(
            fc.constantFrom(...STEPS),
            fc.constantFrom(
              'text/plain',
              'application/xml',
              'multipart/form-data; boundary=x',
              'image/png',
            ),
            garbageBytes(),
          )
          .map(([step, type, bytes]) => ({
            fault: 'body' as const,
            step,
            type,
            payload: Buffer.from(bytes),
            status: 415 as const,
            code: 'UNSUPPORTED_MEDIA_TYPE' as const,
          })),
        fc
          .tuple(
            fc.constantFrom(...STEPS),
            fc.constantFrom('{"username":', '{x}', "{'code':1}", '   '),
          )
          .map(([step, payload]) => ({
            fault: 'body' as const,
            step,
            type: 'application/json',
            payload,
            status: 400 as const,
            code: 'MALFORMED_JSON' as const,
          })),
      ),
      weight: 2,
    },
    {
      arbitrary: fc
        .record({
          step: fc.constantFrom(...STEPS),
          tryParam: validTry,
          encoding: fc.constantFrom('form' as const, 'json' as const),
          value: fc.oneof(
            { arbitrary: formValue, weight: 8 },
            { arbitrary: fc.array(formValue, { minLength: 2, maxLength: 3 }), weight: 1 },
            { arbitrary: fc.constant(undefined), weight: 1 },
          ),
        })
        .map((post) => ({ fault: 'value' as const, ...post })),
      weight: 10,
    },
  );

/** The request a post stands for: path, query, headers and body. */
export const pageRequest = (
  post: PagePost,
  page: { readonly uid: string; readonly cookie: string },
): {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
} => {
  const cookie = post.fault === 'no cookie' ? {} : { cookie: page.cookie };
  const base = `/interaction/${percentEncode(post.fault === 'another page' ? post.uid : page.uid)}`;
  const query = (tryParam: string | null) =>
    tryParam === null ? '' : `?try=${percentEncode(tryParam)}`;
  switch (post.fault) {
    case 'view':
      return { method: 'GET', url: `${base}${query(post.tryParam)}`, headers: cookie };
    case 'cross site':
    case 'no such step':
    case 'another page':
    case 'no cookie':
      return {
        method: 'POST',
        url: `${base}/${percentEncode(post.step)}`,
        headers: {
          ...cookie,
          'content-type': 'application/x-www-form-urlencoded',
          ...(post.fault === 'cross site' ? post.headers : {}),
        },
        payload: 'username=ada',
      };
    case 'bad try':
      return {
        method: 'POST',
        url: `${base}/${post.step}${query(post.tryParam)}`,
        headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'username=ada',
      };
    case 'body':
      return {
        method: 'POST',
        url: `${base}/${post.step}`,
        headers: { ...cookie, 'content-type': post.type },
        payload: post.payload,
      };
    case 'value': {
      const field = FIELD[post.step];
      const values =
        post.value === undefined ? [] : typeof post.value === 'string' ? [post.value] : post.value;
      const payload =
        post.encoding === 'form'
          ? values.map((v) => `${field}=${percentEncode(v)}`).join('&')
          : JSON.stringify(post.value === undefined ? {} : { [field]: post.value });
      return {
        method: 'POST',
        url: `${base}/${post.step}${query(post.tryParam)}`,
        headers: {
          ...cookie,
          'content-type':
            post.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
        },
        payload,
      };
    }
  }
};

// eslint-disable-next-line no-control-regex -- C0, DEL and C1: what a user name may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether the flow takes `value` for `step` (the documented rules, written out again). */
export const acceptsValue = (step: Step, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (step === 'username') {
    const trimmed = value.trim();
    return [...trimmed].length >= 1 && [...trimmed].length <= 256 && !CONTROL.test(trimmed);
  }
  if (step === 'password')
    return value.length >= 1 && value.length <= 1024 && !value.includes('\u0000');
  return /^[0-9]{6}$/.test(value);
};

/** The value the service reads from a post: forms carry UTF-8 (a lone surrogate arrives as U+FFFD). */
export const valueAsRead = (post: Extract<PagePost, { fault: 'value' }>): unknown => {
  if (post.encoding === 'json') return post.value;
  if (post.value === undefined) return undefined;
  if (typeof post.value === 'string') return asSent(post.value);
  return post.value.map(asSent);
};

/** The state each step is taken in. */
export const STATE_OF_STEP: Readonly<Record<Step, string>> = {
  username: 'awaitingUsername',
  password: 'awaitingPassword',
  mfa: 'mfa',
};
