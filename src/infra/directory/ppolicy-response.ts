import { ppolicyErrorFromValue } from '../../domain/outcomes/index.js';

/**
 * The value of the password policy response control (draft-behera-ldap-password-policy,
 * section 6.2), which slapd's ppolicy overlay attaches to a bind response when the bind
 * asked for it:
 *
 *   PasswordPolicyResponseValue ::= SEQUENCE {
 *     warning [0] CHOICE {
 *       timeBeforeExpiration [0] INTEGER (0 .. maxInt),
 *       graceAuthNsRemaining [1] INTEGER (0 .. maxInt) } OPTIONAL,
 *     error   [1] ENUMERATED { passwordExpired (0), accountLocked (1), ... } OPTIONAL }
 *
 * On the wire (BER, implicit tags; a tagged CHOICE is always explicit):
 *   30 LL [a0 LL (80|81) LL <int>] [81 LL <enum>]
 * e.g. `30 03 81 01 01` is accountLocked, `30 00` is "no warning, no error".
 *
 * ldapts has no parser for this control; this one reads exactly that shape and refuses
 * anything else, because a control we misread could turn a refusal into a success.
 */

export type PpolicyWarning =
  | { readonly kind: 'timeBeforeExpiration'; readonly seconds: number }
  | { readonly kind: 'graceAuthNsRemaining'; readonly remaining: number };

export interface PpolicyResponse {
  readonly warning: PpolicyWarning | null;
  /** The ENUMERATED value as sent; `ppolicyErrorFromValue` names it. */
  readonly error: number | null;
}

export type PpolicyResponseReading =
  | { readonly ok: true; readonly response: PpolicyResponse }
  | { readonly ok: false; readonly problem: string };

const TAG_SEQUENCE = 0x30;
const TAG_WARNING = 0xa0; // [0] constructed: the CHOICE
const TAG_TIME_BEFORE_EXPIRATION = 0x80; // [0] primitive INTEGER
const TAG_GRACE_AUTHNS_REMAINING = 0x81; // [1] primitive INTEGER
const TAG_ERROR = 0x81; // [1] primitive ENUMERATED
const MAX_INT = 2 ** 31 - 1;

interface Element {
  readonly tag: number;
  readonly content: Uint8Array;
  /** Offset just after the element, in the buffer it was read from. */
  readonly end: number;
}

class MalformedBer extends Error {}

/** Reads one tag-length-value at `offset`; definite lengths of at most 4 bytes only. */
const readElement = (bytes: Uint8Array, offset: number): Element => {
  const tag = bytes[offset];
  if (tag === undefined) throw new MalformedBer('truncated before a tag');
  if ((tag & 0x1f) === 0x1f) throw new MalformedBer('a multi-byte tag');
  const first = bytes[offset + 1];
  if (first === undefined) throw new MalformedBer('truncated before a length');
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new MalformedBer('an indefinite length');
    if (count > 4) throw new MalformedBer('a length longer than 4 bytes');
    length = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = bytes[start + i];
      if (byte === undefined) throw new MalformedBer('truncated inside a length');
      length = length * 256 + byte;
    }
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new MalformedBer('a length past the end of the value');
  return { tag, content: bytes.subarray(start, end), end };
};

/** A non-negative INTEGER or ENUMERATED no larger than maxInt (two's complement, big-endian). */
const readNonNegative = (content: Uint8Array, what: string): number => {
  const first = content[0];
  if (first === undefined) throw new MalformedBer(`an empty ${what}`);
  if (first & 0x80) throw new MalformedBer(`a negative ${what}`);
  if (content.length > 5) throw new MalformedBer(`a ${what} beyond maxInt`);
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  if (value > MAX_INT) throw new MalformedBer(`a ${what} beyond maxInt`);
  return value;
};

const readWarning = (content: Uint8Array): PpolicyWarning => {
  const inner = readElement(content, 0);
  if (inner.end !== content.length) throw new MalformedBer('extra bytes inside the warning');
  if (inner.tag === TAG_TIME_BEFORE_EXPIRATION) {
    return { kind: 'timeBeforeExpiration', seconds: readNonNegative(inner.content, 'warning') };
  }
  if (inner.tag === TAG_GRACE_AUTHNS_REMAINING) {
    return { kind: 'graceAuthNsRemaining', remaining: readNonNegative(inner.content, 'warning') };
  }
  throw new MalformedBer(`an unknown warning tag 0x${inner.tag.toString(16)}`);
};

/** Reads a ppolicy response control value. Never throws: the bytes come from the network. */
export const readPpolicyResponseValue = (value: Uint8Array): PpolicyResponseReading => {
  try {
    const outer = readElement(value, 0);
    if (outer.tag !== TAG_SEQUENCE) throw new MalformedBer('no SEQUENCE');
    if (outer.end !== value.length) throw new MalformedBer('bytes after the SEQUENCE');
    const body = outer.content;
    let offset = 0;
    let warning: PpolicyWarning | null = null;
    let error: number | null = null;
    if (offset < body.length && body[offset] === TAG_WARNING) {
      const element = readElement(body, offset);
      warning = readWarning(element.content);
      offset = element.end;
    }
    if (offset < body.length && body[offset] === TAG_ERROR) {
      const element = readElement(body, offset);
      error = readNonNegative(element.content, 'error');
      offset = element.end;
    }
    if (offset !== body.length) {
      throw new MalformedBer(`an unexpected element (tag 0x${(body[offset] ?? 0).toString(16)})`);
    }
    return { ok: true, response: { warning, error } };
  } catch (caught) {
    if (caught instanceof MalformedBer) return { ok: false, problem: caught.message };
    throw caught;
  }
};

/** `error accountLocked`, `warning graceAuthNsRemaining=2`, or `none`: for details and logs. */
export const describePpolicyResponse = (response: PpolicyResponse): string => {
  const parts: string[] = [];
  if (response.warning !== null) {
    const { warning } = response;
    parts.push(
      warning.kind === 'timeBeforeExpiration'
        ? `warning timeBeforeExpiration=${warning.seconds}`
        : `warning graceAuthNsRemaining=${warning.remaining}`,
    );
  }
  if (response.error !== null) {
    parts.push(`error ${ppolicyErrorFromValue(response.error) ?? String(response.error)}`);
  }
  return parts.length === 0 ? 'none' : parts.join(', ');
};
