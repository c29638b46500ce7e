import { SearchRequest, type Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  activeDirectoryLoginFilter,
  openLdapLoginFilter,
} from '../../../src/infra/directory/login-filter.js';

/** BER tag-length-value with a short or one-byte long length, enough for these filters. */
const tlv = (tag: number, content: Buffer): Buffer => {
  const length =
    content.length < 0x80 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const octets = (text: string): Buffer => tlv(0x04, Buffer.from(text, 'utf8'));
/** An equalityMatch ([3]): attribute and assertion value, the value taken literally. */
const equalityMatch = (attribute: string, value: string): Buffer =>
  tlv(0xa3, Buffer.concat([octets(attribute), octets(value)]));
const and = (...filters: Buffer[]): Buffer => tlv(0xa0, Buffer.concat(filters));

/** The bytes ldapts puts on the wire for a search with this filter. */
const wireOf = (filter: Filter): Buffer =>
  new SearchRequest({ messageId: 2, baseDN: 'dc=example,dc=test', filter }).write();

// Tags a wildcard would need: substrings [4] and present [7].
const SUBSTRINGS = 0xa4;
const PRESENT = 0x87;

const hostile = [
  { name: '*', escaped: '\\2a' },
  { name: 'alice)(|(cn=*)', escaped: 'alice\\29\\28|\\28cn=\\2a\\29' },
  { name: 'admin*', escaped: 'admin\\2a' },
  { name: '\\00', escaped: '\\5c00' },
  { name: 'nul\u0000byte', escaped: 'nul\\00byte' },
  { name: 'José Müller 山田', escaped: 'José Müller 山田' },
];

describe('login filters', () => {
  it.each(hostile)(
    'OpenLDAP: $name is one equality match, escaped in text',
    ({ name, escaped }) => {
      const filter = openLdapLoginFilter('uid', name);
      expect(filter.toString()).toBe(`(uid=${escaped})`);
      const wire = wireOf(filter);
      expect(wire.includes(equalityMatch('uid', name))).toBe(true);
      expect(wire.includes(Buffer.from([SUBSTRINGS]))).toBe(false);
      expect(wire.includes(Buffer.from([PRESENT]))).toBe(false);
    },
  );

  it.each(hostile)(
    'AD: $name is an equality match next to objectClass=user',
    ({ name, escaped }) => {
      const filter = activeDirectoryLoginFilter('sAMAccountName', name);
      expect(filter.toString()).toBe(`(&(objectClass=user)(sAMAccountName=${escaped}))`);
      const wire = wireOf(filter);
      expect(
        wire.includes(
          and(equalityMatch('objectClass', 'user'), equalityMatch('sAMAccountName', name)),
        ),
      ).toBe(true);
      expect(wire.includes(Buffer.from([SUBSTRINGS]))).toBe(false);
      expect(wire.includes(Buffer.from([PRESENT]))).toBe(false);
    },
  );

  it('never leaves an unescaped wildcard or parenthesis in the text form', () => {
    for (const { name } of hostile) {
      const value = openLdapLoginFilter('mail', name).toString().slice('(mail='.length, -1);
      expect(value).not.toMatch(/[*()]/);
    }
  });
});
