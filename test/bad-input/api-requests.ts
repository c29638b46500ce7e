import fc from 'fast-check';
import { anyText, garbageBytes, hostileText, longText } from './hostile-strings.js';
import { asSent, percentEncode, queryOf } from './url-encoding.js';

/**
 * Generated bad requests for the sign-in API, each with the answer the contract promises
 * for it. Every request carries exactly the faults its generator put in, on top of an
 * otherwise valid request, so the expected answer follows from the fault and the order in
 * which the service checks (body size, media type, JSON, shape, id, value, state):
 *
 * | fault                            | status | code                                 |
 * | -------------------------------- | ------ | ------------------------------------ |
 * | body over 16 KiB                 | 413    | BODY_TOO_LARGE                       |
 * | a body that is not JSON's type   | 415    | UNSUPPORTED_MEDIA_TYPE               |
 * | JSON that does not parse         | 400    | MALFORMED_JSON (also `__proto__`)    |
 * | a query other than `wait=0..30`  | 400    | INVALID_INPUT                        |
 * | a body of the wrong shape        | 400    | INVALID_INPUT                        |
 * | an id that is not an attempt's   | 404    | SIGNIN_NOT_FOUND (NOT_FOUND: no route) |
 * | a value out of bounds            | 400    | INVALID_INPUT                        |
 * | a step the attempt is not at     | 409    | WRONG_STATE                          |
 * | a path or method with no route   | 404    | NOT_FOUND                            |
 */

/** Attempts the requests are aimed at; none of the generated requests may move them. */
export interface ApiFixtures {
  readonly awaitingUsername: string;
  readonly awaitingPassword: string;
  readonly done: string;
}

const idsOf = (fixtures: ApiFixtures): string[] => [
  fixtures.awaitingUsername,
  fixtures.awaitingPassword,
  fixtures.done,
];

type Step = 'username' | 'password' | 'mfa' | 'cancel';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

export interface ApiRequest {
  /** The fault, for failure messages and counts. */
  readonly fault: string;
  readonly method: Method;
  readonly url: string;
  /** The documented operation (`/api/v1/signins/{id}/username`), or null for no route. */
  readonly path: string | null;
  readonly payload?: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly expected: { readonly status: number; readonly codes: readonly string[] };
}

const PREFIX = '/api/v1/signins';
const BODY_LIMIT = 16 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

const FIELD: Readonly<Record<Exclude<Step, 'cancel'>, string>> = {
  username: 'username',
  password: 'password',
  mfa: 'code',
};
const VALID_VALUE: Readonly<Record<Exclude<Step, 'cancel'>, string>> = {
  username: 'ada',
  password: 'not the password',
  mfa: '123456',
};

// The documented rules for values, written out again here rather than imported: the test
// holds the service to the contract, not to itself.
// eslint-disable-next-line no-control-regex -- C0, DEL and C1: what a user name may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Values travel in JSON, which carries every code unit (a lone surrogate too) as it is. A
// user name's length is in characters (code points); a password's in UTF-16 units.
const isValidUsername = (value: string): boolean => {
  const trimmed = value.trim();
  const characters = [...trimmed].length;
  return characters >= 1 && characters <= 256 && !CONTROL.test(trimmed);
};
const isValidPassword = (value: string): boolean =>
  value.length >= 1 && value.length <= 1024 && !value.includes('\u0000');
const isValidCode = (value: string): boolean => /^[0-9]{6}$/.test(value);
const VALID: Readonly<Record<Exclude<Step, 'cancel'>, (value: string) => boolean>> = {
  username: isValidUsername,
  password: isValidPassword,
  mfa: isValidCode,
};
const isValidId = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);
/** `.` and `..` are resolved by URL parsing before any route sees them: not a segment of ours. */
const isDotSegment = (segment: string): boolean => /^(\.|%2e){1,2}$/i.test(segment);

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** What fastify refuses as prototype pollution: a `__proto__` key, or `constructor.prototype`. */
const pollutes = (text: string): boolean => {
  let found = false;
  JSON.parse(text, function (this: unknown, key, value: unknown) {
    if (key === '__proto__') found = true;
    if (key === 'constructor' && typeof value === 'object' && value !== null) {
      if (Object.prototype.hasOwnProperty.call(value, 'prototype')) found = true;
    }
    return value;
  });
  return found;
};

const bytes = (payload: string | Buffer): number =>
  typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;

/** Headers that do not matter to the API, with hostile printable values: they must not. */
const printable = anyText(80).map((text) => text.replace(/[^\x20-\x7e]/g, '') || 'x');
const noiseHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-real-ip',
    'user-agent',
    'accept',
    'accept-language',
    'origin',
    'referer',
    'cookie',
    'authorization',
    'x-request-id',
    'forwarded',
  ),
  printable,
  { maxKeys: 3 },
);

const step: fc.Arbitrary<Exclude<Step, 'cancel'>> = fc.constantFrom('username', 'password', 'mfa');
const anyStep: fc.Arbitrary<Step> = fc.constantFrom('username', 'password', 'mfa', 'cancel');

const validBody = (s: Step): string | undefined =>
  s === 'cancel' ? undefined : JSON.stringify({ [FIELD[s]]: VALID_VALUE[s] });

/** One of the POST operations (start or a step) on `id`, with its path template. */
const postOperation = (fixtures: ApiFixtures) =>
  fc.oneof(
    fc.constant({ url: PREFIX, path: PREFIX }),
    fc.tuple(anyStep, fc.constantFrom(...idsOf(fixtures))).map(([s, id]) => ({
      url: `${PREFIX}/${id}/${s}`,
      path: `${PREFIX}/{id}/${s}`,
    })),
  );

const request = (
  fault: string,
  fields: Omit<ApiRequest, 'fault' | 'headers' | 'expected'>,
  status: number,
  codes: readonly string[],
  headers: Record<string, string> = {},
): fc.Arbitrary<ApiRequest> =>
  noiseHeaders.map((noise) => ({
    fault,
    ...fields,
    headers: { ...noise, ...headers },
    expected: { status, codes },
  }));

/** JSON text that does not parse (or that fastify refuses as prototype pollution). */
const malformedJson = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> =>
  fc
    .tuple(
      postOperation(fixtures),
      fc.oneof(
        hostileText(),
        fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1) || '{'),
        fc.constantFrom(
          '{"username":',
          "{'username':'ada'}",
          '{"username":"ada",}',
          '{"__proto__":{"x":1},"username":"a"}',
          '{"a":{"__proto__":{}}}',
          '{"constructor":{"prototype":{"x":1}}}',
          '   ',
          'NaN',
          '01',
          '"\\x41"',
        ),
      ),
    )
    .filter(
      ([, text]) => text !== '' && bytes(text) <= BODY_LIMIT && (!parses(text) || pollutes(text)),
    )
    .chain(([operation, text]) =>
      request(
        'malformed JSON',
        { method: 'POST', ...operation, payload: text },
        400,
        ['MALFORMED_JSON'],
        JSON_TYPE,
      ),
    );

/** A body whose type is anything but JSON. */
const unsupportedMediaType = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> =>
  fc
    .tuple(
      postOperation(fixtures),
      fc.oneof(
        fc.constantFrom(
          'text/plain',
          'text/html',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json-patch+json',
          'application/jsonp',
          'application/x-json',
          'application/ld+json',
          'application/json, text/plain',
          'text/json',
          'application/octet-stream',
          'image/png',
          'json',
          '*/*',
        ),
        printable.filter((type) => !/^\s*application\/json\s*(;|$)/i.test(type)),
      ),
      fc.oneof(
        hostileText().filter((t) => t !== ''),
        garbageBytes().map((b) => Buffer.from(b)),
        fc.constant('username=ada'),
      ),
    )
    .filter(([, , body]) => bytes(body) > 0 && bytes(body) <= BODY_LIMIT)
    .chain(([operation, type, body]) =>
      request(
        'unsupported media type',
        { method: 'POST', ...operation, payload: body },
        415,
        ['UNSUPPORTED_MEDIA_TYPE'],
        {
          'content-type': type,
        },
      ),
    );

/** A body past the 16 KiB limit, whatever it holds. */
const oversized = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> =>
  fc
    .tuple(
      postOperation(fixtures),
      fc.integer({ min: BODY_LIMIT + 1, max: 256 * 1024 }),
      fc.constantFrom('username', 'password', 'code', 'x'),
      fc.boolean(),
    )
    .chain(([operation, size, field, asJson]) => {
      const payload = asJson
        ? JSON.stringify({ [field]: 'x'.repeat(size) })
        : Buffer.alloc(size, 0x7b);
      return request(
        'body too large',
        { method: 'POST', ...operation, payload },
        413,
        ['BODY_TOO_LARGE'],
        JSON_TYPE,
      );
    });

/** A JSON key that is not `__proto__` (fastify refuses that one as malformed). */
const key = fc
  .oneof(hostileText(), fc.string())
  .filter((k) => k !== '__proto__' && k !== 'constructor');
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(key, fc.string(), { maxKeys: 2 }),
);
const notAnObject = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  hostileText(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
);

/** JSON of the wrong shape for the step: not an object, a missing or extra field, a wrong type. */
const wrongShape = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> => {
  const forStep = fc.tuple(anyStep, fc.constantFrom(...idsOf(fixtures))).chain(([s, id]) => {
    const shapes: fc.Arbitrary<unknown>[] = [notAnObject];
    if (s === 'cancel') {
      shapes.push(fc.dictionary(key, fc.jsonValue(), { minKeys: 1, maxKeys: 3 }));
    } else {
      const field = FIELD[s];
      shapes.push(
        fc.dictionary(
          key.filter((k) => k !== field),
          fc.jsonValue(),
          { maxKeys: 3 },
        ),
        notAString.map((value) => ({ [field]: value })),
        fc
          .tuple(
            key.filter((k) => k !== field),
            fc.jsonValue(),
          )
          .map(([extra, value]) => ({ [field]: VALID_VALUE[s], [extra]: value })),
      );
    }
    return fc.oneof(...shapes).map((body) => ({
      url: `${PREFIX}/${id}/${s}`,
      path: `${PREFIX}/{id}/${s}`,
      body,
    }));
  });
  const forStart = fc
    .oneof(
      notAnObject,
      fc.dictionary(
        key.filter((k) => k !== 'applicationId'),
        fc.jsonValue(),
        { minKeys: 1, maxKeys: 3 },
      ),
      notAString.map((applicationId) => ({ applicationId })),
      fc
        .oneof(
          fc.constant(''),
          longText(129, 2000).filter((id) => [...id].length > 128),
        )
        .map((applicationId) => ({ applicationId })),
    )
    .map((body) => ({ url: PREFIX, path: PREFIX, body }));
  return fc
    .oneof(forStep, forStart)
    .map((shape) => ({ ...shape, text: JSON.stringify(shape.body) }))
    .filter(({ text }) => text !== undefined && bytes(text) <= BODY_LIMIT)
    .chain(({ url, path, text }) =>
      request(
        'wrong shape',
        { method: 'POST', url, path, payload: text },
        400,
        pollutes(text) ? ['MALFORMED_JSON'] : ['INVALID_INPUT'],
        JSON_TYPE,
      ),
    );
};

/** An id that names no attempt: malformed, unsafe, or well formed and unknown. */
const unknownId = (): fc.Arbitrary<ApiRequest> =>
  fc
    .tuple(
      fc.oneof(
        { arbitrary: hostileText(), weight: 3 },
        { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), weight: 2 },
        {
          arbitrary: fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%ED%A0%80', '%00', '%2e%2e'),
          weight: 1,
        },
      ),
      fc.constantFrom<Step | 'view'>('view', 'username', 'password', 'mfa', 'cancel'),
    )
    .chain(([id, s]) => {
      // Raw percent sequences go as they are (some do not decode); anything else is encoded.
      const raw = id.startsWith('%');
      const segment = raw ? id : percentEncode(id);
      const wellFormed = !raw && isValidId(id);
      // A well-formed unknown id reaches the flow; anything else may not even match a route.
      const codes = wellFormed ? ['SIGNIN_NOT_FOUND'] : ['SIGNIN_NOT_FOUND', 'NOT_FOUND'];
      if (s === 'view') {
        return request(
          'unknown id',
          { method: 'GET', url: `${PREFIX}/${segment}`, path: `${PREFIX}/{id}` },
          404,
          codes,
        );
      }
      const body = validBody(s);
      return request(
        'unknown id',
        {
          method: 'POST',
          url: `${PREFIX}/${segment}/${s}`,
          path: `${PREFIX}/{id}/${s}`,
          ...(body === undefined ? {} : { payload: body }),
        },
        404,
        codes,
        body === undefined ? {} : JSON_TYPE,
      );
    });

/** A user name, password or code the flow refuses, on any attempt. */
const badValue = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> =>
  fc
    .tuple(
      step,
      fc.constantFrom(...idsOf(fixtures)),
      fc.oneof(
        hostileText(['ada', '123456']),
        fc.constantFrom(
          '',
          ' ',
          '\u0000',
          '12345',
          '1234567',
          '12345\u0000',
          '１２３４５６',
          '123 456',
          '123456\n',
        ),
        longText(257, 300),
        longText(1025, 3000),
      ),
    )
    .filter(([s, , value]) => !VALID[s](value))
    .map(([s, id, value]) => ({ s, id, text: JSON.stringify({ [FIELD[s]]: value }) }))
    .filter(({ text }) => bytes(text) <= BODY_LIMIT)
    .chain(({ s, id, text }) =>
      request(
        'value out of bounds',
        { method: 'POST', url: `${PREFIX}/${id}/${s}`, path: `${PREFIX}/{id}/${s}`, payload: text },
        400,
        ['INVALID_INPUT'],
        JSON_TYPE,
      ),
    );

/** A valid step (hostile values that are valid included) on an attempt not waiting for it. */
const wrongState = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> => {
  const cases: fc.Arbitrary<{ s: Step; id: string; value?: string }>[] = [
    fc
      .tuple(fc.constantFrom(fixtures.awaitingPassword, fixtures.done), hostileText(['ada']))
      .filter(([, value]) => isValidUsername(value))
      .map(([id, value]) => ({ s: 'username' as const, id, value })),
    fc
      .tuple(fc.constantFrom(fixtures.awaitingUsername, fixtures.done), hostileText(['secret']))
      .filter(([, value]) => isValidPassword(value))
      .map(([id, value]) => ({ s: 'password' as const, id, value })),
    fc
      .tuple(fc.constantFrom(...idsOf(fixtures)), fc.stringMatching(/^[0-9]{6}$/))
      .map(([id, value]) => ({ s: 'mfa' as const, id, value })),
    fc.constant({ s: 'cancel' as const, id: fixtures.done }),
  ];
  return fc
    .oneof(...cases)
    .map(({ s, id, value }) => ({
      s,
      id,
      text:
        s === 'cancel' || value === undefined ? undefined : JSON.stringify({ [FIELD[s]]: value }),
    }))
    .filter(({ text }) => text === undefined || bytes(text) <= BODY_LIMIT)
    .chain(({ s, id, text }) =>
      request(
        'wrong state',
        {
          method: 'POST',
          url: `${PREFIX}/${id}/${s}`,
          path: `${PREFIX}/{id}/${s}`,
          ...(text === undefined ? {} : { payload: text }),
        },
        409,
        ['WRONG_STATE'],
        text === undefined ? {} : JSON_TYPE,
      ),
    );
};

const isValidWait = (value: string): boolean => /^[0-9]{1,2}$/.test(value) && Number(value) <= 30;

/** A query the view refuses: an unknown key, a `wait` out of bounds, `wait` twice. */
const badQuery = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> => {
  const value = fc.oneof(
    hostileText(),
    fc.integer({ min: -100, max: 10_000 }).map(String),
    fc.constantFrom('', '1.5', '1e1', '0x1', '+1', '-0', ' 1', '31', '100', '007'),
  );
  const pairs = fc.oneof(
    // An unknown key, next to a good wait or alone.
    fc
      .tuple(
        key.filter((k) => asSent(k) !== 'wait' && k !== ''),
        value,
        fc.boolean(),
      )
      .map(([k, v, withWait]): [string, string][] =>
        withWait
          ? [
              ['wait', '0'],
              [k, v],
            ]
          : [[k, v]],
      ),
    value.filter((v) => !isValidWait(asSent(v))).map((v): [string, string][] => [['wait', v]]),
    fc.tuple(fc.nat(30), fc.nat(30)).map(([a, b]): [string, string][] => [
      ['wait', String(a)],
      ['wait', String(b)],
    ]),
  );
  return fc
    .tuple(fc.constantFrom(...idsOf(fixtures)), pairs)
    .chain(([id, query]) =>
      request(
        'bad query',
        { method: 'GET', url: `${PREFIX}/${id}?${queryOf(query)}`, path: `${PREFIX}/{id}` },
        400,
        ['INVALID_INPUT'],
      ),
    );
};

/** A method or a path the API does not serve. */
const noRoute = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> => {
  const id = fc.constantFrom(...idsOf(fixtures));
  const url = fc.oneof(
    fc.constant(PREFIX),
    id.map((i) => `${PREFIX}/${i}`),
    fc.tuple(id, anyStep).map(([i, s]) => `${PREFIX}/${i}/${s}`),
    fc
      .tuple(
        id,
        hostileText().filter(
          (s) =>
            !['username', 'password', 'mfa', 'cancel', ''].includes(asSent(s)) &&
            !isDotSegment(percentEncode(s)),
        ),
      )
      .map(([i, s]) => `${PREFIX}/${i}/${percentEncode(s)}`),
    fc.tuple(id, anyStep).map(([i, s]) => `${PREFIX}/${i}/${s}/more`),
    hostileText()
      .filter((s) => !isDotSegment(percentEncode(s)))
      .map((s) => `/api/v1/${percentEncode(s)}`),
    fc.constantFrom('/api', '/api/v1', '/api/v2/signins', '/API/V1/SIGNINS'),
  );
  const served = (method: Method, u: string): boolean => {
    const path = u.split('?')[0] ?? '';
    const parts = path.split('/');
    // /api/v1/signins (POST), /api/v1/signins/:id (GET), /api/v1/signins/:id/:step (POST)
    if (path === PREFIX) return method === 'POST';
    if (!path.startsWith(`${PREFIX}/`)) return false;
    if (parts.length === 5) return method === 'GET';
    if (parts.length === 6)
      return (
        method === 'POST' && ['username', 'password', 'mfa', 'cancel'].includes(parts[5] ?? '')
      );
    return false;
  };
  return fc
    .tuple(fc.constantFrom<Method>('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), url)
    .filter(([method, u]) => !served(method, u))
    .chain(([method, u]) =>
      request('no route', { method, url: u, path: null }, 404, ['NOT_FOUND']),
    );
};

/** Every kind of bad request, weighted towards the ones with the most room to vary. */
export const badApiRequest = (fixtures: ApiFixtures): fc.Arbitrary<ApiRequest> =>
  fc.oneof(
    { arbitrary: malformedJson(fixtures), weight: 2 },
    { arbitrary: unsupportedMediaType(fixtures), weight: 1 },
    { arbitrary: oversized(fixtures), weight: 1 },
    { arbitrary: wrongShape(fixtures), weight: 3 },
    { arbitrary: unknownId(), weight: 3 },
    { arbitrary: badValue(fixtures), weight: 3 },
    { arbitrary: wrongState(fixtures), weight: 3 },
    { arbitrary: badQuery(fixtures), weight: 2 },
    { arbitrary: noRoute(fixtures), weight: 1 },
  );

/** The user the journeys can sign in as, and the only credentials that may succeed. */
export const JOURNEY_USER = { username: 'ada', password: 'correct horse battery staple' } as const;

export interface Journey {
  readonly username: string;
  readonly password: string;
  /** The only way a journey may end signed in: the right user (any case) and the right password. */
  readonly maySignIn: boolean;
  readonly usernameValid: boolean;
  readonly passwordValid: boolean;
}

/**
 * Whole sign-ins with hostile user names and passwords, and near misses of the right ones
 * (the right password with a zero-width space, the right name with a `*`).
 */
export const journey: fc.Arbitrary<Journey> = fc
  .tuple(
    fc.oneof(
      { arbitrary: hostileText([JOURNEY_USER.username]), weight: 4 },
      {
        arbitrary: fc.constantFrom('ada', 'ADA', ' Ada ', 'ada*', 'ad*', '*', 'ada\u200b', 'аda'),
        weight: 2,
      },
    ),
    fc.oneof(
      { arbitrary: hostileText([JOURNEY_USER.password]), weight: 3 },
      {
        arbitrary: fc.constantFrom(
          JOURNEY_USER.password,
          `${JOURNEY_USER.password} `,
          ` ${JOURNEY_USER.password}`,
          `${JOURNEY_USER.password}\u200b`,
          `${JOURNEY_USER.password}*`,
          JOURNEY_USER.password.toUpperCase(),
          '*',
          `${JOURNEY_USER.password}\u0000`,
        ),
        weight: 2,
      },
    ),
  )
  // Within the body limit: an oversized body is its own fault, tried above.
  .filter(
    ([username, password]) =>
      bytes(JSON.stringify({ username })) <= BODY_LIMIT &&
      bytes(JSON.stringify({ password })) <= BODY_LIMIT,
  )
  .map(([username, password]) => ({
    username,
    password,
    usernameValid: isValidUsername(username),
    passwordValid: isValidPassword(password),
    maySignIn:
      username.trim().toLowerCase() === JOURNEY_USER.username && password === JOURNEY_USER.password,
  }));
