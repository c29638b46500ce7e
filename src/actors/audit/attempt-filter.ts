import { BlockList, isIP } from 'node:net';
import type { Outcome } from '../../domain/outcomes/vocabulary.js';
import type { AttemptSummary } from './attempt-summary.js';

/**
 * What `passage audit search` and `export` select attempts by. Every criterion given must
 * hold; none given selects every attempt. The time range is the audit's range itself.
 */
export interface AttemptFilter {
  /** The user name as typed at sign-in, compared without case (directories ignore it). */
  readonly user?: string;
  readonly outcome?: Outcome;
  /** An agent that answered. */
  readonly agent?: string;
  /** A domain controller (or LDAP server) that answered, without case. */
  readonly domainController?: string;
  /** The client's address: one address, or a CIDR block (`198.51.100.0/24`, `2001:db8::/32`). */
  readonly address?: string;
}

/** A compiled address criterion, or the reason the text is not one. */
export const addressMatcher = (text: string): ((address: string | null) => boolean) | string => {
  const [base, bits, extra] = text.split('/');
  const family = isIP(base ?? '');
  if (family === 0 || extra !== undefined) return `'${text}' is not an IP address or CIDR block`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (bits === undefined) {
    list.addAddress(base ?? '', type);
  } else {
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      return `'${text}' has no valid prefix length`;
    }
    list.addSubnet(base ?? '', prefix, type);
  }
  return (address) => {
    if (address === null) return false;
    const kind = isIP(address);
    return kind !== 0 && list.check(address, kind === 4 ? 'ipv4' : 'ipv6');
  };
};

const sameText = (a: string | null, b: string): boolean =>
  a !== null && a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** The filter as a predicate; an address that is not one is refused up front (a string). */
export const compileFilter = (
  filter: AttemptFilter,
): ((summary: AttemptSummary) => boolean) | string => {
  const address = filter.address === undefined ? undefined : addressMatcher(filter.address);
  if (typeof address === 'string') return address;
  return (summary) =>
    (filter.user === undefined || sameText(summary.username, filter.user)) &&
    (filter.outcome === undefined || summary.outcome === filter.outcome) &&
    (filter.agent === undefined || summary.agentIds.includes(filter.agent)) &&
    (filter.domainController === undefined ||
      summary.domainControllers.some((dc) => sameText(dc, filter.domainController ?? ''))) &&
    (address === undefined || address(summary.clientAddress));
};
