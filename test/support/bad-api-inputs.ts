/** One bad request and the refusal it must get. */
export interface BadApiInput {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly payload?: string;
  readonly type?: string;
  readonly status: number;
  readonly code: string;
}

/**
 * Bad input for every endpoint of the sign-in API, against an attempt `id` that is waiting
 * for its user name: missing fields, wrong types, unknown fields, broken and oversized
 * bodies, control characters, steps in the wrong state, unknown and unsafe ids, bad queries.
 * The unit tests send it through fastify's inject; the end-to-end tests over real sockets.
 */
export const badApiInputs = (id: string): readonly BadApiInput[] => {
  const megabyte = JSON.stringify({ username: 'x'.repeat(1024 * 1024) });
  return [
    {
      name: 'missing field',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'wrong type',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"username":42}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'unknown field',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"username":"ada","admin":true}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'array body',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '["ada"]',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'malformed JSON',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"username":',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'prototype pollution',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"__proto__":{"x":1},"username":"a"}',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: '1 MB body',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: megabyte,
      status: 413,
      code: 'BODY_TOO_LARGE',
    },
    {
      name: 'not JSON',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: 'username=ada',
      type: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'plain text',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"username":"ada"}',
      type: 'text/plain',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'control character',
      method: 'POST',
      url: `/api/v1/signins/${id}/username`,
      payload: '{"username":"a\\u0000b"}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'password too early',
      method: 'POST',
      url: `/api/v1/signins/${id}/password`,
      payload: '{"password":"x"}',
      status: 409,
      code: 'WRONG_STATE',
    },
    {
      name: 'code too early',
      method: 'POST',
      url: `/api/v1/signins/${id}/mfa`,
      payload: '{"code":"123456"}',
      status: 409,
      code: 'WRONG_STATE',
    },
    {
      name: 'code not digits',
      method: 'POST',
      url: `/api/v1/signins/${id}/mfa`,
      payload: '{"code":"12345x"}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'unknown id',
      method: 'GET',
      url: '/api/v1/signins/does-not-exist',
      status: 404,
      code: 'SIGNIN_NOT_FOUND',
    },
    {
      name: 'unsafe id',
      method: 'POST',
      url: '/api/v1/signins/a.b%2A/username',
      payload: '{"username":"ada"}',
      status: 404,
      code: 'SIGNIN_NOT_FOUND',
    },
    {
      name: 'path that does not decode',
      method: 'POST',
      url: '/api/v1/signins/%E0%A4%A/username',
      payload: '{"username":"ada"}',
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'id past the router limit',
      method: 'GET',
      url: `/api/v1/signins/${'a'.repeat(101)}`,
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'cancel with a body',
      method: 'POST',
      url: `/api/v1/signins/${id}/cancel`,
      payload: '{"reason":"none"}',
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'wait too long',
      method: 'GET',
      url: `/api/v1/signins/${id}?wait=3600`,
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'wait not a number',
      method: 'GET',
      url: `/api/v1/signins/${id}?wait=soon`,
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'unknown query',
      method: 'GET',
      url: `/api/v1/signins/${id}?debug=1`,
      status: 400,
      code: 'INVALID_INPUT',
    },
    {
      name: 'unknown route',
      method: 'GET',
      url: '/api/v1/nothing',
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'start with junk',
      method: 'POST',
      url: '/api/v1/signins',
      payload: '{"tenant":"other"}',
      status: 400,
      code: 'INVALID_INPUT',
    },
  ];
};
