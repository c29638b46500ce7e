// The LDAP adapter of the Directory port (src/actors/ports/directory.ts). Named re-exports
// only: the composition root needs the factory, the configuration schema and its error.

export { createLdapDirectory } from './ldap-directory.js';
export {
  LdapDirectoryConfigSchema,
  type LdapDirectoryConfig,
  type ResolvedLdapDirectoryConfig,
  resolveLdapDirectoryConfig,
  DIRECTORY_DIALECTS,
  type DirectoryDialect,
  DEFAULT_LOGIN_ATTRIBUTES,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_POOL_SIZE,
} from './ldap-directory-config.js';
export {
  INVALID_DIRECTORY_CONFIG,
  DirectoryConfigError,
  isDirectoryConfigError,
} from './directory-config-error.js';
export { PASSWORD_POLICY_OID } from './password-policy-control.js';
