import fc from 'fast-check';
import { garbageBytes, hostileText } from './hostile-strings.js';

/**
 * Wrong-schema messages for the NATS boundaries: a valid message with one thing broken, so
 * that the message is as close to acceptable as it can be and still certainly refused. What
 * makes a field invalid is written out here from the documented wire rules, not read from
 * the schemas under test.
 */

/** The rule a field follows, as the wire format documents it. */
export type FieldKind =
  | { readonly kind: 'id' }
  | { readonly kind: 'tenant' }
  | { readonly kind: 'instant' }
  | { readonly kind: 'oneOf'; readonly values: readonly unknown[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'count' }
  | { readonly kind: 'text'; readonly max: number; readonly nullable?: boolean }
  | { readonly kind: 'base64' }
  /** A SHA-256 in lower-case hex. */
  | { readonly kind: 'hash'; readonly nullable?: boolean }
  /** An array of ids, at most `max`. */
  | { readonly kind: 'ids'; readonly max: number }
  /** A nested object of its own shape (a client, a list of boxes): broken as a whole. */
  | { readonly kind: 'structure' };

export type Shape = Readonly<Record<string, FieldKind>>;

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// eslint-disable-next-line no-control-regex -- C0, DEL and C1: what printable text may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A value that breaks the rule of `field`. */
export const invalidFor = (field: FieldKind): fc.Arbitrary<unknown> => {
  const notAString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.constant({}),
  );
  switch (field.kind) {
    case 'id':
      return fc.oneof(
        notAString,
        hostileText().filter((s) => !ID.test(s)),
      );
    case 'tenant':
      return fc.oneof(
        notAString,
        hostileText().filter((s) => !TENANT.test(s)),
      );
    case 'instant':
      return fc.oneof(
        notAString,
        hostileText().filter((s) => !INSTANT.test(s)),
        fc.constantFrom('2026-13-01T00:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01', '0'),
      );
    case 'oneOf':
      return fc
        .oneof(fc.string(), hostileText(), fc.integer())
        .filter((v) => !field.values.includes(v));
    case 'boolean':
      return fc.oneof(fc.constantFrom('true', 'false', 0, 1, null), hostileText());
    case 'count':
      return fc.oneof(
        fc.constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER + 2, '1', null, true),
        hostileText(),
      );
    case 'text':
      return fc.oneof(
        notAString.filter((v) => !(field.nullable === true && v === null)),
        fc.constant(''),
        hostileText().filter((s) => CONTROL.test(s) || [...s].length > field.max),
      );
    case 'base64':
      return fc.oneof(
        notAString,
        hostileText().filter((s) => s !== '' && !BASE64.test(s)),
      );
    case 'hash':
      return fc.oneof(
        notAString.filter((v) => !(field.nullable === true && v === null)),
        hostileText().filter((s) => !/^[0-9a-f]{64}$/.test(s)),
        fc.constant('A'.repeat(64)),
      );
    case 'ids':
      return fc.oneof(
        fc.constant({}),
        fc.string(),
        fc.integer(),
        hostileText()
          .filter((s) => !ID.test(s))
          .map((bad) => ['agent-1', bad]),
        fc.constant(Array.from({ length: field.max + 1 }, (_, i) => `agent-${i}`)),
      );
    case 'structure':
      return fc.oneof(
        fc.constant([]),
        fc.constant({}),
        fc.string(),
        fc.integer(),
        fc.constant(null),
      );
  }
};

const unknownKey = (shape: Shape) =>
  fc
    .oneof(hostileText(), fc.string({ minLength: 1 }))
    .filter((k) => !(k in shape) && k !== '__proto__' && k !== '');

/**
 * One mistake in an otherwise valid message: a field with a value its rule refuses, a
 * missing field, an unknown field, or the message replaced by something that is not an
 * object. `kind` names the mistake, for reports.
 */
export const withOneMistake = <T extends Record<string, unknown>>(
  valid: fc.Arbitrary<T>,
  shape: Shape,
  required: readonly (keyof T & string)[],
): fc.Arbitrary<{ readonly kind: string; readonly value: unknown }> => {
  const fields = Object.keys(shape);
  return valid.chain((message) =>
    fc.oneof(
      fc.constantFrom(...fields).chain((field) =>
        invalidFor(shape[field] as FieldKind).map((bad) => ({
          kind: `bad ${field}`,
          value: { ...message, [field]: bad },
        })),
      ),
      fc.constantFrom(...required).map((field) => {
        const copy: Record<string, unknown> = { ...message };
        delete copy[field];
        return { kind: `no ${field}`, value: copy };
      }),
      fc.tuple(unknownKey(shape), fc.jsonValue()).map(([key, extra]) => ({
        kind: 'unknown field',
        value: { ...message, [key]: extra },
      })),
      fc
        .oneof(
          fc.constant(null),
          fc.integer(),
          hostileText(),
          fc.array(fc.jsonValue(), { maxLength: 3 }),
        )
        .map((value) => ({ kind: 'not an object', value })),
    ),
  );
};

/** What a NATS message body can be when it is not a message at all. */
export const garbageBody: fc.Arbitrary<{
  readonly kind: string;
  readonly body: Uint8Array | string;
}> = fc.oneof(
  garbageBytes().map((body) => ({ kind: 'garbage bytes', body })),
  hostileText().map((body) => ({ kind: 'not JSON', body })),
  fc.jsonValue().map((value) => ({ kind: 'JSON of another shape', body: JSON.stringify(value) })),
  fc.constant({ kind: 'empty', body: '' }),
);
