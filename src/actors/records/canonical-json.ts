import { createRequire } from 'node:module';

/**
 * RFC 8785 (JSON Canonicalization Scheme) through the `canonicalize` package.
 *
 * `canonicalize` is CommonJS (`module.exports = serialize`) but its types say
 * `export default`, which NodeNext reads as `exports.default`: a default import type-checks
 * as the module object, not the function. Loading it with `require` gets the function itself
 * in Node and in vitest alike, and the runtime check below keeps the cast honest.
 */
const loaded: unknown = createRequire(import.meta.url)('canonicalize');
if (typeof loaded !== 'function') {
  throw new Error('the canonicalize package did not export a function');
}
const serialize = loaded as (input: unknown) => string | undefined;

/**
 * The canonical JSON text of a value: keys sorted by UTF-16 code units, no white space,
 * numbers and strings in their ECMAScript form. Equal values give byte-identical text, which
 * is what a hash over a record needs. Throws for what JSON cannot hold (undefined at the
 * root, NaN, Infinity), which a record never contains.
 */
export const canonicalJson = (value: unknown): string => {
  const text = serialize(value);
  if (text === undefined) throw new Error('a value without a JSON form cannot be canonicalized');
  return text;
};
