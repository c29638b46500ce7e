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

/**
 * How a user that answers requests (the service, for commands) may answer: once per request,
 * within 5 s, the time a requester waits (sendCommand). nats-server 2.9 remembers the reply
 * subject of every message it delivers to such a user, requests or not, and once more than
 * 4,096 are remembered it goes through all of them at every delivery: with `true` they are
 * kept two minutes, and the `?wait=` nudges alone (JetStream publishes, each naming its
 * publisher's inbox) cross that line at about 20 sign-ins a second, after which the server
 * spent most of its time there (docs/performance.md). Kept 5 s, the line is at about 400 a
 * second per service node.
 */
export const ALLOW_RESPONSES = '{ max: 1, expires: "5s" }';

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
  const { publish, subscribe, allowResponses } = user.permissions;
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
    ...(allowResponses ? [`        allow_responses: ${ALLOW_RESPONSES}`] : []),
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
