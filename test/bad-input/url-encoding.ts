/**
 * Percent-encoding for generated URLs. `encodeURIComponent` throws on a lone surrogate, and
 * generated text has them; this encodes the UTF-8 bytes Node would send (a lone surrogate
 * becomes U+FFFD, as it would on the wire), leaving only unreserved characters as they are.
 */
const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

export const percentEncode = (text: string): string => {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += UNRESERVED.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
};

/** The text a server decodes from `percentEncode(text)`: lone surrogates replaced. */
export const asSent = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/** A query string from key/value pairs, every part percent-encoded. */
export const queryOf = (pairs: readonly (readonly [string, string])[]): string =>
  pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
