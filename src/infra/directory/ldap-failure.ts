import { MessageParserError, ResultCodeError } from 'ldapts';
import { NoSlotError } from './concurrency-limit.js';

/**
 * What went wrong with one LDAP operation, read from what ldapts throws. ldapts throws three
 * kinds of things: a ResultCodeError (the server answered with a result code), a Node socket
 * or TLS error with a string `code` (from connecting), and plain Errors whose message is the
 * only clue (time-outs and sockets that closed under a request). Their messages are not an
 * API, so every reading here is pinned by a unit test and an integration test.
 */
export type LdapFailure =
  /** The server answered with an LDAP result code: an answer, never a reason to fail over. */
  | { readonly kind: 'result'; readonly code: number; readonly message: string }
  /**
   * The connection was gone when the request went out or before the answer came back: what
   * a pooled connection looks like after the server closed it while idle. Worth one retry on
   * a fresh connection.
   */
  | { readonly kind: 'connectionLost'; readonly reason: string }
  /** No answer could be had from this server (refused, TLS, time-out): try the next one. */
  | { readonly kind: 'unreachable'; readonly reason: string };

// Node's (OpenSSL's) certificate verification codes, plus its own TLS and SSL errors.
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
]);

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

// Sockets that broke under a request: the peer reset or closed it.
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** The server's own text: ldapts appends ` Code: 0x31` to it. */
const serverMessageOf = (error: ResultCodeError): string =>
  error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '');

const codeOf = (error: Error): string | null => {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : null;
};

export const classifyLdapError = (error: unknown): LdapFailure => {
  if (error instanceof ResultCodeError) {
    return { kind: 'result', code: error.code, message: serverMessageOf(error) };
  }
  if (error instanceof NoSlotError) return { kind: 'unreachable', reason: error.message };
  if (error instanceof MessageParserError) {
    return { kind: 'unreachable', reason: 'unreadable answer' };
  }
  if (!(error instanceof Error)) return { kind: 'unreachable', reason: 'unexpected failure' };

  const code = codeOf(error);
  if (code !== null) {
    if (CERTIFICATE_CODES.has(code)) {
      return { kind: 'unreachable', reason: `certificate not trusted (${code})` };
    }
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
      return { kind: 'unreachable', reason: `TLS failed (${code})` };
    }
    if (LOST_CODES.has(code))
      return { kind: 'connectionLost', reason: `connection lost (${code})` };
    const network = NETWORK_REASONS[code];
    return { kind: 'unreachable', reason: `${network ?? 'network error'} (${code})` };
  }

  // ldapts' own messages (Client.ts): `<Request>: Operation timed out`, `Connection timeout`,
  // `Connection closed before message response was received…`, `Socket error…`, and
  // `Socket connection not established` when a request meets a socket that is already gone.
  const { message } = error;
  if (message.endsWith('Operation timed out')) {
    return { kind: 'unreachable', reason: 'no answer within the operation time-out' };
  }
  if (message === 'Connection timeout') {
    return { kind: 'unreachable', reason: 'no connection within the connect time-out' };
  }
  if (
    message.startsWith('Connection closed before message response') ||
    message.startsWith('Socket connection not established') ||
    message.startsWith('Socket error')
  ) {
    return { kind: 'connectionLost', reason: 'connection closed by the server' };
  }
  return { kind: 'unreachable', reason: `unexpected failure (${error.name})` };
};
