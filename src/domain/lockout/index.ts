export { BUCKETS, BucketSchema, type Bucket } from './bucket.js';
export { decideLockout } from './decide.js';
export { foldLockout, lockoutDecider, type LockoutDecider } from './decider.js';
export {
  DIRECTORY_POLICY_CONFLICTS,
  DirectoryLockoutPolicySchema,
  directoryPolicyConflicts,
  windowsDefaultDirectoryPolicy,
  type DirectoryLockoutPolicy,
  type DirectoryPolicyConflict,
  type DirectoryPolicyConflictCode,
} from './directory-policy.js';
export {
  LOCKOUT_ERROR_CODES,
  lockoutError,
  type LockoutError,
  type LockoutErrorCode,
} from './errors.js';
export { evolveLockout } from './evolve.js';
export {
  LockoutPolicySchema,
  MAX_FAMILIAR_LOCATIONS_LIMIT,
  defaultLockoutPolicy,
  lockoutDurationSeconds,
  thresholdFor,
  type LockoutPolicy,
} from './policy.js';
export {
  AccountKeySchema,
  AccountLockedOutSchema,
  FailureCountedSchema,
  LocationSchema,
  LockoutCommandIdSchema,
  LockoutCommandSchema,
  LockoutEventSchema,
  OUTAGE_REASONS,
  OutageReasonSchema,
  RecordFailureSchema,
  RecordOutageSchema,
  RecordSuccessSchema,
  SuccessRecordedSchema,
  decodeLockoutCommand,
  decodeLockoutEvent,
  type AccountKey,
  type AccountLockedOut,
  type FailureCounted,
  type Location,
  type LockoutCommand,
  type LockoutEvent,
  type OutageReason,
  type RecordFailure,
  type RecordOutage,
  type RecordSuccess,
  type SuccessRecorded,
} from './schemas.js';
export {
  bucketOf,
  emptyBucket,
  initialLockoutState,
  type BucketState,
  type LockoutState,
} from './state.js';
export { isLockedAt, lockoutStatus, type LockoutQuery, type LockoutStatus } from './status.js';
