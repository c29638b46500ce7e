import { z } from 'zod';

/**
 * Failures are counted in two buckets, as Entra smart lockout does: attempts from places
 * where the user has signed in before are probably the user, the others probably are not,
 * and a lockout caused by one must not stop the other.
 */
export const BUCKETS = ['familiar', 'unfamiliar'] as const;
export const BucketSchema = z.enum(BUCKETS);
export type Bucket = z.infer<typeof BucketSchema>;
