import {
  BusyError,
  InvalidCredentialsError,
  NoSuchObjectError,
  TimeLimitExceededError,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import { ServiceBindError } from '../../../src/infra/directory/ldap-server.js';
import {
  searchFailureOutcome,
  serverText,
  singleEntryOutcome,
} from '../../../src/infra/directory/server-outcome.js';

describe('what a search comes to', () => {
  it('finds exactly one entry, or answers userNotFound or ambiguousUsername', () => {
    expect(singleEntryOutcome([{ dn: 'uid=a,dc=x' }])).toEqual({ kind: 'found', dn: 'uid=a,dc=x' });
    expect(singleEntryOutcome([])).toEqual({
      kind: 'answer',
      result: 'userNotFound',
      detail: 'USER_NOT_FOUND',
    });
    expect(singleEntryOutcome([{ dn: 'uid=a,dc=x' }, { dn: 'uid=b,dc=x' }])).toEqual({
      kind: 'answer',
      result: 'ambiguousUsername',
      detail: 'AMBIGUOUS_USERNAME',
    });
  });

  it('never binds to an entry without a DN (that bind would be anonymous)', () => {
    expect(singleEntryOutcome([{ dn: ' ' }])).toMatchObject({ result: 'directoryError' });
  });

  it('fails over on busy, unavailable, time limits and lost connections, and answers other result codes', () => {
    expect(searchFailureOutcome(new BusyError('busy'))).toEqual({
      kind: 'failed',
      reason: 'search: 51 (busy)',
    });
    expect(searchFailureOutcome(new TimeLimitExceededError('time limit'))).toEqual({
      kind: 'failed',
      reason: 'search: 3 (time limit)',
    });
    expect(searchFailureOutcome(new Error('SearchRequest: Operation timed out'))).toEqual({
      kind: 'failed',
      reason: 'search: no answer within the operation time-out',
    });
    expect(searchFailureOutcome(new NoSuchObjectError('no such base'))).toEqual({
      kind: 'answer',
      result: 'directoryError',
      detail: 'SEARCH_FAILED: 32 (no such base)',
    });
  });

  it('answers directoryError when the service account is refused', () => {
    const refused = new ServiceBindError({
      kind: 'result',
      code: 49,
      message: 'AcceptSecurityContext error, data 52e, v1db1',
    });
    expect(searchFailureOutcome(refused)).toEqual({
      kind: 'answer',
      result: 'directoryError',
      detail: 'SERVICE_BIND_REFUSED: 49 (AcceptSecurityContext error, data 52e, v1db1)',
    });
    expect(new InvalidCredentialsError().code).toBe(49);
  });

  it('keeps server text on one bounded line', () => {
    expect(serverText('line one\nline\u0000two  ')).toBe('line one line two');
    expect(serverText('x'.repeat(500))).toHaveLength(201);
  });
});
