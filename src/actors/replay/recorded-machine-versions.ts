import { decodeRecord } from '../records/sign-in-record.js';

/**
 * The machine version each record of a history names, collected while the history streams
 * to the verifier: the HTML timeline draws each record on the diagram of the machine that
 * wrote it, and the verification result does not carry the versions.
 *
 * A record that cannot be read names no version (null). For a record that verifies, the
 * version is a verified one: the hash covers it and the verifier checks it against the
 * event's. For the record that diverges it is only what that record claims.
 */
export interface MachineVersionTap {
  /** The same texts, unchanged, in the same order. */
  readonly texts: AsyncIterable<string>;
  /** One entry per text read so far, by position (index 0 is position 1). */
  readonly versions: () => readonly (number | null)[];
}

export const tapMachineVersions = (
  texts: AsyncIterable<string> | Iterable<string>,
): MachineVersionTap => {
  const versions: (number | null)[] = [];
  async function* passOn(): AsyncGenerator<string> {
    for await (const text of texts) {
      const decoded = decodeRecord(text);
      versions.push(decoded._tag === 'Right' ? decoded.right.machineVersion : null);
      yield text;
    }
  }
  return { texts: passOn(), versions: () => [...versions] };
};
