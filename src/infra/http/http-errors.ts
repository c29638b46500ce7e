import type { FastifyReply } from 'fastify';
import { FLOW_ERROR_CODES, type FlowError } from '../../actors/signin/flow-types.js';

/**
 * Every error the HTTP service answers with: `{"error": {"code", "message"}}` and one status
 * per code. Clients branch on `code`; the codes are part of the public contract (OpenAPI).
 */
export const HTTP_ERROR_STATUS = {
  SIGNIN_NOT_FOUND: 404,
  INVALID_INPUT: 400,
  WRONG_STATE: 409,
  SERVICE_UNAVAILABLE: 503,
  CORRUPT_HISTORY: 500,
  /** No route has this path. */
  NOT_FOUND: 404,
  /** The route exists, not with this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The body is over the service's limit (16 KiB for the API). */
  BODY_TOO_LARGE: 413,
  /** The body is not JSON (the API reads `application/json` only). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The body claims to be JSON and is not. */
  MALFORMED_JSON: 400,
  /** A fault of the service itself; it is logged, and the process keeps serving. */
  INTERNAL_ERROR: 500,
} as const satisfies Record<string, number>;
export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS;

// Every flow error has an HTTP status: the compiler checks the table covers them.
FLOW_ERROR_CODES satisfies readonly HttpErrorCode[];

export interface ErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string };
}

export const errorBody = (code: HttpErrorCode, message: string): ErrorBody => ({
  error: { code, message },
});

export const sendError = (reply: FastifyReply, code: HttpErrorCode, message: string) =>
  reply
    .code(HTTP_ERROR_STATUS[code])
    .header('cache-control', 'no-store')
    .send(errorBody(code, message));

export const sendFlowError = (reply: FastifyReply, error: FlowError) =>
  sendError(reply, error.code, error.message);

/** Fastify's own refusals (parsing, limits), by its error codes, as passage's codes. */
export const httpCodeOfFastifyError = (error: {
  readonly code?: string;
  readonly statusCode?: number;
}): HttpErrorCode => {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'BODY_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'MALFORMED_JSON';
    default:
      break;
  }
  if (error.statusCode === 413) return 'BODY_TOO_LARGE';
  if (error.statusCode === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return 'INVALID_INPUT';
  }
  return 'INTERNAL_ERROR';
};
