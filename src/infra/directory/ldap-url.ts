/** Where one directory server listens, read from an `ldap://` or `ldaps://` URL. */
export interface LdapServerAddress {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** `host:port`: the domain controller an answer names. */
  readonly label: string;
  /** The URL handed to ldapts: scheme, host and port only. */
  readonly url: string;
}

export type LdapUrlReading =
  | { readonly ok: true; readonly address: LdapServerAddress }
  | { readonly ok: false; readonly problem: string };

const DEFAULT_PORTS = { ldap: 389, ldaps: 636 } as const;

/**
 * Reads a server URL strictly: scheme, host and an optional port, nothing else. LDAP URLs
 * may carry a DN, attributes and a filter (RFC 4516), but a server list that does so is a
 * mistake here (the base DN has its own setting), and a URL with a user name or password
 * would put a secret where logs print addresses.
 *
 * IPv6 literals are refused: ldapts 8 rebuilds the host from whatwg-url's numeric pieces
 * joined in decimal, so `[fe80::10]` would be dialled as `65152:0:0:0:0:0:0:16`. A host name
 * that resolves to an IPv6 address works.
 *
 * Problems never quote the URL: it may hold a secret typed in the wrong place.
 */
export const readLdapUrl = (text: string): LdapUrlReading => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: 'is not a URL (expected ldaps://host:port)' };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'ldap' && scheme !== 'ldaps') {
    return { ok: false, problem: 'has a scheme other than ldaps:// or ldap://' };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      problem: 'carries a user name or password: use bindDn and bindPassword instead',
    };
  }
  if (url.hostname === '') return { ok: false, problem: 'names no host' };
  if (url.hostname.startsWith('[')) {
    return { ok: false, problem: 'is an IPv6 literal, which ldapts cannot dial: use a host name' };
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return {
      ok: false,
      problem:
        'has a path, query or fragment: give scheme, host and port only (the base DN is baseDn)',
    };
  }
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    return { ok: false, problem: 'has a port outside 1-65535' };
  }
  const label = `${url.hostname}:${port}`;
  return {
    ok: true,
    address: {
      secure: scheme === 'ldaps',
      host: url.hostname,
      port,
      label,
      url: `${scheme}://${label}`,
    },
  };
};
