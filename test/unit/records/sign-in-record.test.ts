import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/actors/records/canonical-json.js';
import {
  buildRecord,
  decodeRecord,
  encodeRecord,
  hashRecord,
  nextRecord,
  SIGN_IN_RECORD_VERSION,
} from '../../../src/actors/records/sign-in-record.js';
import { SIGNIN_EVENT_TYPES, type SignInEvent } from '../../../src/domain/signin/events.js';
import { evolve } from '../../../src/domain/signin/evolve.js';
import { initialSignInState } from '../../../src/domain/signin/state.js';
import { INVALID_MESSAGE } from '../../../src/domain/wire/decode.js';
import { recordedHistories } from './decided-histories.js';

/** Records: the hash over the canonical form, the chain step, and the stored text. */

const STARTED: SignInEvent = {
  type: 'SignInStarted',
  eventId: 'c1-0',
  at: '2026-03-02T08:00:00.000Z',
  machineVersion: 1,
  attemptId: 'attempt-1',
  tenant: 'acme',
  client: { applicationId: 'payroll', address: null },
  timeouts: {
    usernameSeconds: 60,
    passwordSeconds: 120,
    agentSeconds: 20,
    evaluationSeconds: 10,
    mfaSeconds: 180,
  },
  mfaMaxTries: 3,
  deadline: '2026-03-02T08:01:00.000Z',
};

const USERNAME: SignInEvent = {
  type: 'UsernameSubmitted',
  eventId: 'c2-0',
  at: '2026-03-02T08:00:05.000Z',
  machineVersion: 1,
  username: 'ada@corp.example',
  deadline: '2026-03-02T08:02:05.000Z',
};

const afterStart = evolve(initialSignInState(), STARTED);
const first = nextRecord(null, STARTED, afterStart);
const second = nextRecord(first, USERNAME, evolve(afterStart, USERNAME));

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys at every depth and leaves out white space', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], é: true, Z: 0 })).toBe(
      '{"Z":0,"a":[{"c":null,"d":"x"}],"b":1,"é":true}',
    );
  });

  it('gives the same text whatever order the keys were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('hashRecord', () => {
  it('is SHA-256 over the canonical JSON of every field but the hash, written out by hand', () => {
    // The exact bytes hashed: keys sorted, no spaces. A change here breaks every stored chain.
    const canonical =
      '{"at":"2026-03-02T08:00:00.000Z","attemptId":"attempt-1","event":{"at":"2026-03-02T08:00:00.000Z",' +
      '"attemptId":"attempt-1","client":{"address":null,"applicationId":"payroll"},' +
      '"deadline":"2026-03-02T08:01:00.000Z","eventId":"c1-0","machineVersion":1,"mfaMaxTries":3,' +
      '"tenant":"acme","timeouts":{"agentSeconds":20,"evaluationSeconds":10,"mfaSeconds":180,' +
      '"passwordSeconds":120,"usernameSeconds":60},"type":"SignInStarted"},"machineVersion":1,' +
      '"previousHash":null,"sequence":1,"state":"awaitingUsername","tenant":"acme","v":1}';
    const expected = createHash('sha256').update(canonical, 'utf8').digest('hex');
    expect(first.hash).toBe(expected);
    expect(hashRecord(first)).toBe(expected);
  });

  it('leaves a hash field out rather than hashing it', () => {
    expect(hashRecord({ ...first, hash: 'f'.repeat(64) } as never)).toBe(first.hash);
  });

  it('changes when any field changes, the event included', () => {
    const variants = [
      { ...first, sequence: 2 },
      { ...first, tenant: 'other' },
      { ...first, state: 'done' as const },
      { ...first, previousHash: 'a'.repeat(64) },
      { ...first, event: { ...STARTED, mfaMaxTries: 4 } },
    ];
    for (const variant of variants) expect(hashRecord(variant)).not.toBe(first.hash);
  });
});

describe('buildRecord and nextRecord', () => {
  it('copies the machine version and the time from the event', () => {
    const record = buildRecord({
      tenant: 'acme',
      attemptId: 'attempt-1',
      sequence: 7,
      event: { ...USERNAME, machineVersion: 1, at: '2026-03-02T09:00:00.000Z' },
      state: 'awaitingPassword',
      previousHash: first.hash,
    });
    expect(record).toMatchObject({
      v: SIGN_IN_RECORD_VERSION,
      machineVersion: 1,
      at: '2026-03-02T09:00:00.000Z',
      sequence: 7,
      previousHash: first.hash,
    });
    expect(record.hash).toBe(hashRecord(record));
  });

  it('starts a chain from SignInStarted: sequence 1, no previous hash, its attempt', () => {
    expect(first).toMatchObject({
      tenant: 'acme',
      attemptId: 'attempt-1',
      sequence: 1,
      previousHash: null,
      state: 'awaitingUsername',
    });
  });

  it('links each record to the one before', () => {
    expect(second).toMatchObject({
      tenant: 'acme',
      attemptId: 'attempt-1',
      sequence: 2,
      previousHash: first.hash,
      state: 'awaitingPassword',
    });
  });

  it('refuses to start a chain with any other event', () => {
    expect(() => nextRecord(null, USERNAME, afterStart)).toThrow(/first record/);
  });
});

describe('encodeRecord and decodeRecord', () => {
  it('round-trips every record of every path', () => {
    for (const { records } of recordedHistories()) {
      for (const record of records) {
        const decoded = decodeRecord(encodeRecord(record));
        expect(isRight(decoded) && decoded.right).toEqual(record);
      }
    }
  });

  it('stores the canonical form, so the stored text is the hashed text plus the hash', () => {
    const text = encodeRecord(second);
    expect(text).toBe(canonicalJson(second));
    expect(text).not.toMatch(/\s/);
  });

  it('refuses text that is not a record with INVALID_MESSAGE, never throwing', () => {
    for (const text of ['', 'not json', '{}', '[]', 'null', encodeRecord(first).slice(0, -1)]) {
      const decoded = decodeRecord(text);
      expect(isLeft(decoded) && decoded.left.code).toBe(INVALID_MESSAGE);
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(isLeft(decodeRecord(text))).toBe(true);
      }),
    );
  });
});

describe('a record never holds a password', () => {
  const PASSWORD_LIKE = /pass(word)?|passwd|pwd|secret|credential|sealed|cipher/i;
  // Keys that look like one but hold no secret, each named on purpose: a new one fails the
  // test until someone has looked at it.
  const NOT_A_PASSWORD = new Set([
    'passwordSeconds', // the time-out of awaitingPassword, in seconds
  ]);
  const suspicious = (key: string) => PASSWORD_LIKE.test(key) && !NOT_A_PASSWORD.has(key);

  const keysOf = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(keysOf);
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  };

  it('has no password-like key in any record of any path, for every event type', () => {
    const histories = recordedHistories();
    const types = new Set<string>();
    for (const { records } of histories) {
      for (const record of records) {
        types.add(record.event.type);
        const keys = keysOf(JSON.parse(encodeRecord(record)));
        expect(keys.filter(suspicious)).toEqual([]);
      }
    }
    // Every event type was looked at, so the check above covers them all.
    expect([...types].sort()).toEqual([...SIGNIN_EVENT_TYPES].sort());
  });

  it('the key check itself finds a password wherever it is hidden', () => {
    expect(
      keysOf({ event: { client: { userPassword: 'x' } }, list: [{ pwd: 1 }] }).filter(suspicious),
    ).toEqual(['userPassword', 'pwd']);
  });

  it('refuses a record with a password field, even one rehashed to match', () => {
    const withPassword = { ...second, password: 'hunter2' };
    const rehashed = { ...withPassword, hash: hashRecord(withPassword) };
    for (const record of [withPassword, rehashed]) {
      const decoded = decodeRecord(JSON.stringify(record));
      expect(isLeft(decoded) && decoded.left.code).toBe(INVALID_MESSAGE);
    }
  });

  it('refuses a record whose event carries a password', () => {
    const record = { ...second, event: { ...USERNAME, password: 'hunter2' } };
    const decoded = decodeRecord(JSON.stringify(record));
    expect(isLeft(decoded) && decoded.left.message).toMatch(/event/);
  });
});
