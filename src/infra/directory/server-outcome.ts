import type { AgentResult } from '../../domain/outcomes/index.js';
import { isDirectoryUnavailableCode } from '../../domain/outcomes/index.js';
import { classifyLdapError } from './ldap-failure.js';
import { ServiceBindError } from './ldap-server.js';

/** What asking one server came to: an answer to pass on, or a reason to try the next one. */
export type ServerOutcome =
  | { readonly kind: 'answer'; readonly result: AgentResult; readonly detail: string }
  | { readonly kind: 'failed'; readonly reason: string };

export const answer = (result: AgentResult, detail: string): ServerOutcome => ({
  kind: 'answer',
  result,
  detail,
});

export const failed = (reason: string): ServerOutcome => ({ kind: 'failed', reason });

const MAX_SERVER_TEXT = 200;

/**
 * A server's diagnostic message, made safe for a log line: control characters become
 * spaces and the length is bounded. Directories do not echo the password they were sent,
 * so the text is safe to keep.
 */
export const serverText = (message: string): string => {
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > MAX_SERVER_TEXT ? `${flat.slice(0, MAX_SERVER_TEXT)}…` : flat;
};

/** `head (server text)`, or just `head` when the server said nothing. */
export const withText = (head: string, message: string): string => {
  const text = serverText(message);
  return text === '' ? head : `${head} (${text})`;
};

// The server gave up on the search at the time limit we sent with it: the server-side twin
// of our own operation time-out, so it fails over like one.
const TIME_LIMIT_EXCEEDED = 3;

/**
 * What a failed search means. Result codes 51 busy, 52 unavailable and 3 timeLimitExceeded
 * send the request to the next server, like a lost connection or a time-out; any other
 * result code is the server's answer, and a wrong base DN or a refused service account will
 * not be fixed by another domain controller, so it ends as `directoryError` right here.
 */
export const searchFailureOutcome = (error: unknown): ServerOutcome => {
  if (error instanceof ServiceBindError) {
    const { code, message } = error.failure;
    if (isDirectoryUnavailableCode(code)) return failed(withText(`service bind: ${code}`, message));
    return answer('directoryError', withText(`SERVICE_BIND_REFUSED: ${code}`, message));
  }
  const failure = classifyLdapError(error);
  if (failure.kind !== 'result') return failed(`search: ${failure.reason}`);
  if (isDirectoryUnavailableCode(failure.code) || failure.code === TIME_LIMIT_EXCEEDED) {
    return failed(withText(`search: ${failure.code}`, failure.message));
  }
  return answer('directoryError', withText(`SEARCH_FAILED: ${failure.code}`, failure.message));
};

/** Entries found for a login name: exactly one is the user; none or several are answers. */
export const singleEntryOutcome = (
  entries: readonly { readonly dn: string }[],
): { readonly kind: 'found'; readonly dn: string } | ServerOutcome => {
  if (entries.length === 0) return answer('userNotFound', 'USER_NOT_FOUND');
  if (entries.length > 1) return answer('ambiguousUsername', 'AMBIGUOUS_USERNAME');
  const dn = entries[0]?.dn ?? '';
  // An empty DN would make the bind anonymous, which succeeds on many servers.
  if (dn.trim() === '') return answer('directoryError', 'SEARCH_FAILED: entry without a DN');
  return { kind: 'found', dn };
};
