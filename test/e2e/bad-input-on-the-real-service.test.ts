import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/directory-fixtures.js';
import { badApiInputs } from '../support/bad-api-inputs.js';
import { slapdAgentArgs } from '../support/directory-args.js';
import { startServiceStack, type ServiceStack } from '../support/service-stack.js';

/**
 * Bad input against `passage serve` as it runs, over real sockets: every API endpoint gets
 * the shared corpus (test/support/bad-api-inputs.ts), the socket gets bytes that are not
 * HTTP, and afterwards the same process still signs a user in.
 */
const { slapd } = inject('directories');
let stack: ServiceStack;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'passage-bad-input-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  stack = await startServiceStack({
    tenant: 'bad-input',
    directoryArgs: await slapdAgentArgs(slapd, dir),
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  for (const cleanup of cleanups) await cleanup();
});

const post = async (path: string, body?: unknown) => {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

/** Writes raw bytes and reads what comes back until the server closes or 5 s pass. */
const raw = (bytes: string | Buffer) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(stack.service.port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, 5000);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (answer === '') reject(error);
      else resolve(answer);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(bytes);
  });

describe('bad input against the running service', () => {
  it('refuses every bad request with its status and stable code', async () => {
    const { json } = await post('/api/v1/signins');
    const id = String(json['id']);
    for (const c of badApiInputs(id)) {
      const response = await fetch(`${stack.baseUrl}${c.url}`, {
        method: c.method,
        ...(c.payload === undefined
          ? {}
          : { body: c.payload, headers: { 'content-type': c.type ?? 'application/json' } }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      expect({ name: c.name, status: response.status, code: body.error?.code }).toEqual({
        name: c.name,
        status: c.status,
        code: c.code,
      });
    }
  });

  it('answers bytes that are not HTTP with 400 and no crash', async () => {
    for (const bytes of [
      'GARBAGE\r\n\r\n',
      Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
      'POST /api/v1/signins HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
      'POST /api/v1/signins HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc',
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const answer = await raw(bytes);
      expect(answer === '' || /^HTTP\/1\.1 4\d\d/.test(answer)).toBe(true);
    }
  });

  it('refuses a 1 MB chunked body without reading it whole', async () => {
    const { json } = await post('/api/v1/signins');
    // Over a raw socket: the service answers 413 and closes while the body is still being
    // sent, which a fetch client reports as a broken pipe and not as the answer.
    const chunk = 'x'.repeat(64 * 1024);
    const body = Array.from({ length: 16 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const answer = await raw(
      [
        `POST /api/v1/signins/${String(json['id'])}/username HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
        '',
        `${body.join('')}0\r\n\r\n`,
      ].join('\r\n'),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"BODY_TOO_LARGE"');
  });

  it('still serves, and signs a user in, after all of it', async () => {
    expect(stack.service.child.exitCode).toBeNull();
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    const { json } = await post('/api/v1/signins');
    const id = String(json['id']);
    await post(`/api/v1/signins/${id}/username`, { username: slapd.users.good.uid });
    await post(`/api/v1/signins/${id}/password`, { password: slapd.users.good.password });
    const done = await fetch(`${stack.baseUrl}/api/v1/signins/${id}?wait=20`);
    expect(await done.json()).toEqual({ id, state: 'done', outcome: 'signedIn', methods: ['pwd'] });
    // And nothing it was sent ended up in its log as a password.
    expect(stack.service.logs()).not.toContain(slapd.users.good.password);
  }, 60_000);
});
