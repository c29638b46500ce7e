import { BusyError, InvalidCredentialsError, MessageParserError, NoSuchObjectError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { NoSlotError } from '../../../src/infra/directory/concurrency-limit.js';
import { classifyLdapError } from '../../../src/infra/directory/ldap-failure.js';

const systemError = (code: string, message = code): Error =>
  Object.assign(new Error(message), { code });

describe('what ldapts throws, read', () => {
  it('keeps the server text of a result code, without the suffix ldapts adds', () => {
    const message =
      '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1';
    expect(classifyLdapError(new InvalidCredentialsError(message))).toEqual({
      kind: 'result',
      code: 49,
      message,
    });
    expect(classifyLdapError(new BusyError('try later'))).toEqual({
      kind: 'result',
      code: 51,
      message: 'try later',
    });
    expect(classifyLdapError(new NoSuchObjectError())).toMatchObject({ kind: 'result', code: 32 });
  });

  it.each([
    ['ECONNREFUSED', 'connection refused (ECONNREFUSED)'],
    ['ENOTFOUND', 'host not found (ENOTFOUND)'],
    ['EHOSTUNREACH', 'host unreachable (EHOSTUNREACH)'],
    ['EACCES', 'network error (EACCES)'],
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    ],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS failed (ERR_TLS_CERT_ALTNAME_INVALID)'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS failed (ERR_SSL_WRONG_VERSION_NUMBER)'],
  ])('reads the socket error %s as unreachable', (code, reason) => {
    expect(classifyLdapError(systemError(code))).toEqual({ kind: 'unreachable', reason });
  });

  it('reads ldapts time-outs as unreachable', () => {
    expect(classifyLdapError(new Error('BindRequest: Operation timed out'))).toEqual({
      kind: 'unreachable',
      reason: 'no answer within the operation time-out',
    });
    expect(classifyLdapError(new Error('Connection timeout'))).toEqual({
      kind: 'unreachable',
      reason: 'no connection within the connect time-out',
    });
  });

  it.each([
    'Connection closed before message response was received. Message type: SearchRequest (0x63)',
    'Socket connection not established',
    'Socket error. Message type: SearchRequest (0x63)\nread ECONNRESET',
  ])('reads %j as a lost connection, worth one retry', (message) => {
    expect(classifyLdapError(new Error(message))).toMatchObject({ kind: 'connectionLost' });
  });

  it('reads a reset or broken pipe as a lost connection', () => {
    expect(classifyLdapError(systemError('ECONNRESET'))).toMatchObject({ kind: 'connectionLost' });
    expect(classifyLdapError(systemError('EPIPE'))).toMatchObject({ kind: 'connectionLost' });
  });

  it('reads anything else as unreachable, naming only its type', () => {
    expect(classifyLdapError(new NoSlotError('busy'))).toEqual({
      kind: 'unreachable',
      reason: 'every connection stayed busy',
    });
    expect(classifyLdapError(new MessageParserError('bad'))).toEqual({
      kind: 'unreachable',
      reason: 'unreadable answer',
    });
    expect(classifyLdapError(new TypeError('secret text'))).toEqual({
      kind: 'unreachable',
      reason: 'unexpected failure (TypeError)',
    });
    expect(classifyLdapError('a string')).toEqual({
      kind: 'unreachable',
      reason: 'unexpected failure',
    });
  });
});
