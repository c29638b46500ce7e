import type { RolePermissions } from './permissions.js';

/**
 * The parts of a nats-server configuration that say who may connect and how: an
 * `authorization` block with one NKey user per role (public keys only: the seeds stay in
 * their 0600 files) and a `tls` block. Appended to the generated configuration
 * (`extraConfig`), or printed for an operator to paste into their own.
 */

export interface NatsUserEntry {
  /** `U…`: the user's public NKey. */
  readonly publicKey: string;
  /** Written as a comment above the user: whose key it is. */
  readonly description: string;
  /** Absent: every right (an operator's own tools; never one of passage's roles). */
  readonly permissions?: RolePermissions;
}

export interface NatsTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

// The configuration language takes JSON strings: `$JS.API.>` stays a string, never a variable.
const quoted = (value: string): string => JSON.stringify(value);
const list = (values: readonly string[], indent: string): string =>
  values.length === 0
    ? '[]'
    : `[\n${values.map((value) => `${indent}  ${quoted(value)}`).join(',\n')}\n${indent}]`;

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

const renderUser = (user: NatsUserEntry): string => {
  const head = [
    `    # ${oneLine(user.description)}`,
    '    {',
    `      nkey: ${quoted(user.publicKey)}`,
  ];
  if (user.permissions === undefined) return [...head, '    }'].join('\n');
  const { publish, subscribe } = user.permissions;
  const i = '        ';
  const lines = [
    ...head,
    '      permissions: {',
    '        publish: {',
    `          allow: ${list(publish.allow, `${i}  `)}`,
    ...(publish.deny.length === 0 ? [] : [`          deny: ${list(publish.deny, `${i}  `)}`]),
    '        }',
    '        subscribe: {',
    `          allow: ${list(subscribe.allow, `${i}  `)}`,
    '        }',
    '      }',
    '    }',
  ];
  return lines.join('\n');
};

/** `authorization { users = [ … ] }`: only these users may connect, each with its rights. */
export const renderAuthorization = (users: readonly NatsUserEntry[]): string =>
  ['authorization {', '  users = [', ...users.map(renderUser), '  ]', '}'].join('\n');

/** `tls { … }`: every client connection is TLS with this certificate. */
export const renderTls = (files: NatsTlsFiles): string =>
  [
    'tls {',
    `  cert_file: ${quoted(files.certFile)}`,
    `  key_file: ${quoted(files.keyFile)}`,
    // The handshake of a loaded two-core machine can take a while: 2 s is generous.
    '  timeout: 2',
    '}',
  ].join('\n');
