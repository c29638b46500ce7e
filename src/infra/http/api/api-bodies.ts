import { z } from 'zod';

/**
 * What the API reads. Bodies are strict objects: an unknown field is refused rather than
 * ignored, so a client's typo (`pasword`) is an error, not a silent sign-in failure. Values
 * are checked again by the flow (lengths, characters); here only the shape.
 */
export const StartBodySchema = z
  .strictObject({
    /** The application the user signs in to, for the audit log. */
    applicationId: z.string().min(1).max(128).optional(),
  })
  .optional();

export const UsernameBodySchema = z.strictObject({ username: z.string() });
export const PasswordBodySchema = z.strictObject({ password: z.string() });
export const MfaBodySchema = z.strictObject({ code: z.string() });
export const EmptyBodySchema = z.strictObject({}).optional();

/** `?wait=SECONDS`: whole seconds, 0-30. */
export const MAX_WAIT_SECONDS = 30;
export const ViewQuerySchema = z.strictObject({
  wait: z
    .string()
    .regex(/^[0-9]{1,2}$/, 'wait is a whole number of seconds')
    .transform(Number)
    .refine((n) => n <= MAX_WAIT_SECONDS, `wait is at most ${MAX_WAIT_SECONDS} seconds`)
    .optional(),
});

export const IdParamsSchema = z.strictObject({ id: z.string() });

/** The first problem zod found, in one line a client can show; `where` names the part read. */
export const describeIssue = (error: z.ZodError, where: 'body' | 'query' = 'body'): string => {
  const issue = error.issues[0];
  if (issue === undefined) return 'the request is not valid';
  const path = issue.path.length === 0 ? where : issue.path.join('.');
  return `${path}: ${issue.message}`;
};
