import { readFileSync } from 'node:fs';
import { HTTP_ERROR_STATUS, type HttpErrorCode } from '../../src/infra/http/http-errors.js';

interface OpenApi {
  readonly paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  readonly components: { readonly schemas: Record<string, { enum?: string[] }> };
}

/** The API's contract, as published: specs/openapi.json. */
const spec = JSON.parse(readFileSync('specs/openapi.json', 'utf8')) as OpenApi;

/** The error codes the contract lists. */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set(
  spec.components.schemas['ErrorCode']?.enum ?? [],
);

/** The statuses the contract lists for one operation (`/api/v1/signins/{id}`, `post`). */
export const documentedStatuses = (path: string, method: string): ReadonlySet<number> =>
  new Set(
    Object.keys(spec.paths[path]?.[method.toLowerCase()]?.responses ?? {}).map((status) =>
      Number(status),
    ),
  );

/** An answer as a client reads it. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * What is wrong with an error answer, or null when it keeps the contract: the body is
 * `{"error": {"code", "message"}}`, the code is a documented one, the status is the one
 * that code stands for, and (for a route of the API) the operation documents that status.
 */
export const contractBreach = (
  answer: Answer,
  operation: { readonly path: string; readonly method: string } | null,
): string | null => {
  if (answer.status >= 500) return `a ${answer.status}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `a body that is not JSON: ${answer.body.slice(0, 80)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return `a body without {error: {code, message}}: ${answer.body.slice(0, 120)}`;
  }
  if (!DOCUMENTED_CODES.has(error.code)) return `an undocumented code ${error.code}`;
  if (HTTP_ERROR_STATUS[error.code as HttpErrorCode] !== answer.status) {
    return `${error.code} with status ${answer.status}`;
  }
  if (
    operation !== null &&
    !documentedStatuses(operation.path, operation.method).has(answer.status)
  ) {
    return `status ${answer.status}, which ${operation.method} ${operation.path} does not document`;
  }
  return null;
};
