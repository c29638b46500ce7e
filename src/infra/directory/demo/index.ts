// passage's own directory: the demo slapd of `passage up`, and the pieces the tests' slapd
// shares with it (slapd.conf, LDIF, {SSHA}, certificates, starting slapd). Named re-exports.

export {
  startDemoDirectory,
  type DemoDirectory,
  type DemoDirectoryOptions,
} from './demo-directory.js';
export {
  DEMO_BASE_DN,
  DEMO_USER_KEYS,
  demoUserDn,
  newDemoPassword,
  planDemoDirectory,
  type DemoDirectoryPlan,
  type DemoServiceAccount,
  type DemoUser,
  type DemoUserKey,
  type PlainUser,
} from './demo-users.js';
export {
  DemoDirectoryError,
  isDemoDirectoryError,
  type DemoDirectoryErrorCode,
} from './demo-directory-error.js';
export {
  createDirectoryCertificates,
  type CertificateNames,
  type DirectoryCertificates,
} from './certificates.js';
export {
  passwordPolicyEntry,
  personEntry,
  serviceAccountEntry,
  suffixEntries,
  type PersonInput,
  type PolicyRules,
} from './directory-entries.js';
export { generalizedTime, renderLdif, type LdifEntry } from './ldif.js';
export { renderSlapdConfig, type SlapdConfigInput, type SlapdTlsFiles } from './slapd-config.js';
export {
  bindSucceeds,
  runSlapd,
  type RunSlapdOptions,
  type SlapdProcess,
  type SlapdUrls,
} from './slapd-server.js';
export {
  DEFAULT_SLAPD_MODULE_DIR,
  DEFAULT_SLAPD_SCHEMA_DIR,
  findExecutable,
  findSlapdTools,
  runTool,
  type SlapdTools,
} from './slapd-tools.js';
export { sshaHash } from './ssha.js';
export { canListen, freePort } from './free-port.js';
export {
  DEFAULT_STOP_GRACE_MS,
  groupIsAlive,
  startManagedProcess,
  type ManagedProcess,
  type ManagedProcessOptions,
  type ProcessExit,
  type ProcessOutput,
  type StopResult,
} from './managed-process.js';
export { startOrphanGuard, type OrphanGuard } from './orphan-guard.js';
