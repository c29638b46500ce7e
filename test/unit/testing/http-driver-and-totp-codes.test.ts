import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchingStep, totpStepAt } from '../../../src/infra/mfa/totp.js';
import { TestingError, createHttpSignInDriver } from '../../../src/testing/index.js';
import { totpCodes } from '../../../src/testing/totp-codes.js';
import {
  startInMemoryTesterSystem,
  type InMemoryTesterSystem,
} from '../../support/in-memory-tester-driver.js';

/** The HTTP driver's refusals, each with its stable code, and the TOTP codes it types. */
const call = () => ({ signal: new AbortController().signal });

describe('the HTTP driver says what went wrong, with a code', () => {
  let system: InMemoryTesterSystem;
  let odd: Server;
  let oddUrl = '';
  beforeAll(async () => {
    system = await startInMemoryTesterSystem();
    // Answers /text with text where JSON belongs, and never answers /silent.
    odd = createServer((request, response) => {
      if (request.url?.includes('silent')) return;
      response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    odd.closeAllConnections();
    await new Promise((resolve) => odd.close(resolve));
    await system.stop();
  });

  it('a refusal of the API: HTTP_REFUSED with the status and the API code', async () => {
    const error: unknown = await system
      .driver()
      .cancel('no-such-attempt', call())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'HTTP_REFUSED', status: 404, apiCode: 'SIGNIN_NOT_FOUND' });
  });

  it('a step the attempt is not waiting for: HTTP_REFUSED, WRONG_STATE', async () => {
    const driver = system.driver();
    const id = await driver.start(call());
    await expect(driver.submitPassword(id, 'signsIn', call())).rejects.toMatchObject({
      code: 'HTTP_REFUSED',
      status: 409,
      apiCode: 'WRONG_STATE',
    });
  });

  it('nothing listening: HTTP_UNREACHABLE', async () => {
    const driver = createHttpSignInDriver({ baseUrl: 'http://127.0.0.1:1', accounts: {} });
    await expect(driver.start(call())).rejects.toMatchObject({ code: 'HTTP_UNREACHABLE' });
  });

  it('text where JSON belongs: HTTP_BAD_RESPONSE', async () => {
    const driver = createHttpSignInDriver({ baseUrl: `${oddUrl}/text`, accounts: {} });
    await expect(driver.start(call())).rejects.toMatchObject({ code: 'HTTP_BAD_RESPONSE' });
  });

  it('no answer within the request time-out: HTTP_TIMED_OUT', async () => {
    const driver = createHttpSignInDriver({
      baseUrl: `${oddUrl}/silent`,
      accounts: {},
      requestTimeoutMs: 200,
    });
    await expect(driver.start(call())).rejects.toMatchObject({ code: 'HTTP_TIMED_OUT' });
  });

  it('an account it was not given: ACCOUNT_NOT_CONFIGURED, and the driver does not claim it', async () => {
    const driver = createHttpSignInDriver({
      baseUrl: system.baseUrl,
      accounts: { signsIn: { username: 'ada', password: 'correct horse' } },
    });
    expect(driver.accounts).toEqual(['signsIn']);
    const id = await driver.start(call());
    await expect(driver.submitUsername(id, 'needsMfa', call())).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_CONFIGURED',
    });
  });

  it('locks the smart-lockout account by wrong passwords, then finds it locked at once', async () => {
    const driver = system.driver();
    await driver.prepare?.('lockedBySmartLockout', call());
    const requests = system.stack.agentRequests();
    await driver.prepare?.('lockedBySmartLockout', call());
    // Locked already: one attempt, refused before any agent was asked.
    expect(system.stack.agentRequests()).toBe(requests);
  });
});

describe('the TOTP codes the driver types', () => {
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const T = Date.parse('2026-11-25T10:00:10.000Z');

  it('never the same time step twice: this one, the next one, then it waits for the clock', async () => {
    let now = T;
    const slept: number[] = [];
    const codes = totpCodes(
      SECRET,
      () => new Date(now),
      (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    const signal = new AbortController().signal;
    const steps: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const code = await codes.right(signal);
      const step = matchingStep(SECRET, code, new Date(now));
      expect(step, `code ${i + 1} is accepted when typed`).toBeDefined();
      steps.push(step ?? -1);
    }
    const first = totpStepAt(new Date(T));
    expect(steps).toEqual([first, first + 1, first + 2]);
    // The third waited for the step after the first to begin (20 s from T).
    expect(slept).toEqual([20_000]);
  });

  it('a wrong code is accepted at no instant near now', () => {
    const codes = totpCodes(SECRET, () => new Date(T));
    const wrong = codes.wrong();
    expect(wrong).toMatch(/^[0-9]{6}$/);
    expect(matchingStep(SECRET, wrong, new Date(T))).toBeUndefined();
  });
});
