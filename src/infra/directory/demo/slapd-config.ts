import { sshaHash } from './ssha.js';

export interface SlapdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface SlapdConfigInput {
  readonly baseDn: string;
  readonly rootDn: string;
  /** Written as an {SSHA} hash: slapd.conf never holds it in clear. */
  readonly rootPassword: string;
  readonly dataDir: string;
  readonly pidFile: string;
  readonly moduleDir: string;
  readonly schemaDir: string;
  readonly defaultPolicyDn: string;
  /** Needed for an ldaps:// listener; without it slapd serves plain LDAP only. */
  readonly tls?: SlapdTlsFiles;
}

/**
 * A slapd.conf for one directory of passage's own (the test fixture, `passage up`'s demo):
 * back_mdb, the ppolicy overlay with lockout answers (`ppolicy_use_lockout`: a locked account
 * gets `accountLocked` in the response control, not a bare 49) and clear-text passwords
 * hashed on write (`ppolicy_hash_cleartext`), and ACLs like a real directory: passwords are
 * only usable for binds, entries are readable by authenticated users only, and anonymous
 * searches find nobody.
 */
export const renderSlapdConfig = (input: SlapdConfigInput): string =>
  [
    `include ${input.schemaDir}/core.schema`,
    `include ${input.schemaDir}/cosine.schema`,
    `include ${input.schemaDir}/inetorgperson.schema`,
    `modulepath ${input.moduleDir}`,
    'moduleload back_mdb',
    // OpenLDAP 2.5 builds the ppolicy schema into the overlay: there is no ppolicy.schema.
    'moduleload ppolicy',
    `pidfile ${input.pidFile}`,
    ...(input.tls === undefined
      ? []
      : [
          `TLSCACertificateFile ${input.tls.caFile}`,
          `TLSCertificateFile ${input.tls.certFile}`,
          `TLSCertificateKeyFile ${input.tls.keyFile}`,
        ]),
    '',
    'database mdb',
    `suffix "${input.baseDn}"`,
    `rootdn "${input.rootDn}"`,
    `rootpw ${sshaHash(input.rootPassword)}`,
    `directory ${input.dataDir}`,
    'maxsize 67108864',
    'access to attrs=userPassword by self write by anonymous auth by * none',
    // Anonymous may search but matches nothing: an empty result, not noSuchObject (32),
    // which is what `by * none` on the entries alone would answer.
    'access to attrs=entry by users read by anonymous search by * none',
    'access to * by users read by * none',
    '',
    'overlay ppolicy',
    `ppolicy_default "${input.defaultPolicyDn}"`,
    'ppolicy_use_lockout',
    'ppolicy_hash_cleartext',
    '',
  ].join('\n');
