import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DemoDirectoryError, SETUP_HINT } from './demo-directory-error.js';
import { findExecutable, runTool } from './slapd-tools.js';

export interface DirectoryCertificates {
  /** The CA that signed the server certificate: what clients trust (`--ldap-ca-file`). */
  readonly caFile: string;
  readonly certFile: string;
  /** Unencrypted, mode 0600 (servers refuse a key file that others can read). */
  readonly keyFile: string;
}

export interface CertificateNames {
  readonly ipAddresses: readonly string[];
  readonly dnsNames: readonly string[];
}

// P-256 keys: made in milliseconds where RSA takes a noticeable part of a second, and every
// TLS stack involved (GnuTLS in slapd, OpenSSL in Node) speaks them.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A new CA and a server certificate signed by it, with the addresses clients connect to in
 * subjectAltName, so that clients verify the certificate (as the agent always does) instead of
 * turning verification off. The CA's private key is deleted once it has signed: nothing can
 * be signed with it later, so a copy of the directory gives no one a certificate the agent
 * would trust. Made anew at every start; `days` bounds how long a leftover copy is valid.
 */
export const createDirectoryCertificates = async (
  dir: string,
  names: CertificateNames,
  options: { readonly days?: number } = {},
): Promise<DirectoryCertificates> => {
  const openssl = findExecutable('openssl');
  if (openssl === null) {
    throw new DemoDirectoryError(
      'DEMO_DIRECTORY_TOOLS_MISSING',
      `openssl not found. ${SETUP_HINT}`,
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const days = String(options.days ?? 7);
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const csrFile = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const extFile = join(dir, 'server.ext');
  const altNames = [
    ...names.ipAddresses.map((ip) => `IP:${ip}`),
    ...names.dnsNames.map((dns) => `DNS:${dns}`),
  ].join(',');
  await writeFile(
    extFile,
    [
      `subjectAltName=${altNames}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  try {
    // A unique subject, so two CAs made on one machine are never confused with each other.
    const subject = `/CN=passage directory CA ${randomBytes(6).toString('hex')}`;
    await runTool(openssl, [
      'req',
      '-x509',
      ...NEW_KEY,
      '-keyout',
      caKey,
      '-out',
      caFile,
      '-days',
      days,
      '-subj',
      subject,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await runTool(openssl, [
      'req',
      ...NEW_KEY,
      '-keyout',
      keyFile,
      '-out',
      csrFile,
      '-subj',
      `/CN=${names.dnsNames[0] ?? names.ipAddresses[0] ?? 'localhost'}`,
    ]);
    await runTool(openssl, [
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-out',
      certFile,
      '-days',
      days,
      '-extfile',
      extFile,
    ]);
    await chmod(keyFile, 0o600);
  } finally {
    await Promise.all([caKey, csrFile, extFile].map((file) => rm(file, { force: true })));
  }
  return { caFile, certFile, keyFile };
};
