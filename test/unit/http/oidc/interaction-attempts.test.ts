import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdSchema } from '../../../../src/domain/shared/wire-primitives.js';
import {
  MAX_TRIES,
  attemptIdFor,
  readTry,
} from '../../../../src/infra/http/oidc/interaction-attempts.js';

describe('the attempt of an OpenID Connect interaction', () => {
  it('is a valid attempt id, the same for the same uid, try and key', () => {
    const id = attemptIdFor('uid-1', 1, 'key-a');
    expect(IdSchema.safeParse(id).success).toBe(true);
    expect(attemptIdFor('uid-1', 1, 'key-a')).toBe(id);
    expect(attemptIdFor('uid-1', 2, 'key-a')).not.toBe(id);
    expect(attemptIdFor('uid-2', 1, 'key-a')).not.toBe(id);
  });

  it('cannot be computed from the uid alone (it is keyed)', () => {
    const id = attemptIdFor('uid-1', 1, 'key-a');
    expect(attemptIdFor('uid-1', 1, 'key-b')).not.toBe(id);
    const unkeyed = `i${createHash('sha256').update('uid-1:1').digest('hex').slice(0, 40)}`;
    expect(id).not.toBe(unkeyed);
  });

  it('reads the try number: absent is 1; anything but 1..MAX_TRIES is refused', () => {
    expect(readTry(undefined)).toBe(1);
    expect(readTry('3')).toBe(3);
    expect(readTry(String(MAX_TRIES))).toBe(MAX_TRIES);
    for (const bad of ['0', String(MAX_TRIES + 1), '-1', '1.5', 'x', '', ['1'], '01']) {
      expect(readTry(bad)).toBeNull();
    }
  });
});
