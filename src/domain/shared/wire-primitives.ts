import { z } from 'zod';

/**
 * Identifiers end up as NATS subject tokens (`passage.<tenant>.signin.<attemptId>`), so they
 * may not contain `.`, `*`, `>` or white space. The same rule everywhere keeps them safe.
 */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id is 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');
export type Id = z.infer<typeof IdSchema>;

/** A tenant is a lower-case slug: it names streams, subjects and KV keys. */
export const TenantSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant is a lower-case slug of at most 63 characters');
export type Tenant = z.infer<typeof TenantSchema>;

/** Instants travel as ISO 8601 UTC strings (`2026-11-25T10:00:00.000Z`): readable in the log. */
export const InstantSchema = z.iso.datetime({ precision: 3 });
export type Instant = z.infer<typeof InstantSchema>;

/** A bounded positive duration in seconds, used by policies recorded in events. */
export const secondsSchema = (max: number) => z.number().int().positive().max(max);

// Control characters (C0, DEL, C1) are never part of a user name or a display name, and a
// user name with one is refused rather than cleaned, so what is logged is what was typed.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Printable text of bounded length: user names, display names, reasons. */
export const printableText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL_CHARACTERS.test(s), 'control characters are not allowed');

/** Adds whole seconds to an instant; pure arithmetic, no clock. */
export const addSeconds = (instant: Instant, seconds: number): Instant =>
  new Date(Date.parse(instant) + seconds * 1000).toISOString();

/** True when `a` is at or after `b`. */
export const isAtOrAfter = (a: Instant, b: Instant): boolean => Date.parse(a) >= Date.parse(b);
