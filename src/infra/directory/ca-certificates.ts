import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DirectoryConfigError } from './directory-config-error.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads the CA file once, when the directory is created, so that a missing or garbled file
 * stops passage at start-up with a clear message instead of turning every sign-in into
 * `directoryUnavailable`. Returns the PEM certificates it holds, each checked to parse.
 */
export const readCaCertificates = (path: string): string[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new DirectoryConfigError(
      `invalid directory configuration: caFile ${path} cannot be read (${reason})`,
      [`caFile: cannot be read (${reason})`],
      { cause: error },
    );
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  const unreadable = certificates.filter((pem) => {
    try {
      new X509Certificate(pem);
      return false;
    } catch {
      return true;
    }
  });
  if (certificates.length === 0 || unreadable.length > 0) {
    throw new DirectoryConfigError(
      `invalid directory configuration: caFile ${path} holds no readable PEM certificate`,
      ['caFile: holds no readable PEM certificate'],
    );
  }
  return certificates;
};
