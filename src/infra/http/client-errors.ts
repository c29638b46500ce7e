import type { Socket } from 'node:net';
import { errorBody, HTTP_ERROR_STATUS } from './http-errors.js';

/**
 * What a client is told when its bytes are not a request Node can read: a request line or
 * headers past Node's limit (16 KiB), a malformed request, a request not sent in time. No
 * route ever sees these, so fastify would answer in a shape of its own; this answers in
 * passage's, with INVALID_INPUT, and closes the connection (what follows on it cannot be
 * trusted to start a new request).
 */
export const answerClientError = (
  error: Error & { readonly code?: string },
  socket: Socket,
): void => {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const why =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'the request line or headers are too large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'the request was not sent in time'
        : 'the request is not valid HTTP';
  const body = JSON.stringify(errorBody('INVALID_INPUT', why));
  if (socket.writable) {
    socket.write(
      [
        `HTTP/1.1 ${HTTP_ERROR_STATUS.INVALID_INPUT} Bad Request`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Cache-Control: no-store',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy(error);
};
